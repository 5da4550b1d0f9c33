import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The variable that names the runtime root explicitly (an installation that moved its files elsewhere). */
export const RUNTIME_ROOT_VARIABLE = 'DMP_HOME';

/** The folders under the runtime root that services read; the package, the image and the docs ship each. */
export const RUNTIME_FOLDERS = ['swagger', 'discovery-config', 'governance', 'artifacts'] as const;

let packageRoot: string | undefined;

/**
 * The folder holding the files the platform reads at run time: `swagger/`,
 * `discovery-config/`, `governance/` and `artifacts/`. `DMP_HOME` when set;
 * otherwise the package root, the nearest folder above this module with a
 * `package.json`: the checkout when running from the sources
 * (`shared/runtime-root.ts`), the same checkout or installed package from the
 * build (`dist/shared/runtime-root.js`; `dist/` has no `package.json`). Never
 * the working directory, so a service started from anywhere reads the same files.
 */
export function runtimeRoot(env: NodeJS.ProcessEnv = process.env): string {
  const home = env[RUNTIME_ROOT_VARIABLE];
  if (home) return resolve(home);
  packageRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return packageRoot;
}

/** A run-time file by its path under the runtime root, e.g. `runtimeFile('swagger', 'provisioner.yaml')`. */
export function runtimeFile(...segments: string[]): string {
  return join(runtimeRoot(), ...segments);
}

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) {
      // A bundle (a Lambda package) has no package root: it must not need run-time files, or be told where they are.
      throw new Error(
        `no package.json above ${from}: set ${RUNTIME_ROOT_VARIABLE} to the folder holding swagger/`,
      );
    }
  }
}
