import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { bundledPackages, externalImports, isMainModule, NODE_BUNDLE, REPO_ROOT } from './node-bundle.js';

/** Where `npm run build` writes the CLI: the bin of the `@dmp/cli` package (cli/package.json) and of the root's. */
export const CLI_BUNDLE = join(REPO_ROOT, 'cli/dist/dmp.mjs');

/**
 * Packages the CLI must never load: the servers' frameworks and the AWS SDK
 * cost start-up time and install size, and the CLI talks to dmp over HTTP only.
 */
const HEAVY_PACKAGES = [
  /^express$/,
  /^@aws-sdk\//,
  /^@smithy\//,
  /^pino/,
  /^dynalite$/,
  /^s3rver$/,
  /^swagger-ui/,
  /^prom-client$/,
  /^jose$/,
];

export interface CliBundle {
  file: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * The CLI as one minified ES module with every dependency inside (js-yaml and
 * ajv): its package has no dependencies, installs offline, and starts without
 * resolving a single package. Refuses to write a bundle that took in a heavy package.
 */
export async function bundleCli(outfile = CLI_BUNDLE): Promise<CliBundle> {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    ...NODE_BUNDLE,
    entryPoints: ['cli/main.ts'],
    outfile,
    minify: true,
    metafile: true,
    banner: { js: `#!/usr/bin/env node\n${NODE_BUNDLE.banner.js}` },
  });
  const heavy = bundledPackages(result.metafile).filter((name) => HEAVY_PACKAGES.some((p) => p.test(name)));
  const unbundled = externalImports(result.metafile).filter((path) => !isNodeBuiltin(path));
  if (heavy.length > 0 || unbundled.length > 0) {
    throw new Error(
      `the CLI bundle must not contain ${heavy.join(', ') || '—'} nor import ${unbundled.join(', ') || '—'}: ` +
        'import the type or helper from a module that does not pull them in',
    );
  }
  chmodSync(outfile, 0o755);
  return { file: outfile, bytes: statSync(outfile).size, metafile: result.metafile };
}

export function isNodeBuiltin(path: string): boolean {
  return builtinModules.includes(path.replace(/^node:/, ''));
}

if (isMainModule(import.meta.url)) {
  const bundle = await bundleCli();
  process.stdout.write(
    `${relative(REPO_ROOT, bundle.file)}  ${(bundle.bytes / 1024).toFixed(0)} KiB  (${bundledPackages(bundle.metafile).join(', ')} inside)\n`,
  );
}
