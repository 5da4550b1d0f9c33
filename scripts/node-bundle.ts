import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile } from 'esbuild';

/** The checkout the build scripts work in. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * What every bundle of the project shares: one ES module for Node 20. The
 * CommonJS packages inside (ajv, express) call `require` for Node's own
 * modules, which an ES module lacks: the banner gives it one.
 */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  mainFields: ['module', 'main'],
  absWorkingDir: REPO_ROOT,
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __dmpCreateRequire } from 'node:module';\nconst require = __dmpCreateRequire(import.meta.url);",
  },
} satisfies BuildOptions;

/** The npm packages a bundle took code from, by name (`@scope/name` or `name`). */
export function bundledPackages(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    if (!input.includes('node_modules/')) continue;
    const [first, second] = (input.split('node_modules/').at(-1) as string).split('/');
    names.add(first?.startsWith('@') ? `${first}/${second}` : (first as string));
  }
  return [...names].sort();
}

/** What a bundle still imports at run time; only Node's own modules are left when everything is bundled. */
export function externalImports(metafile: Metafile): string[] {
  const paths = Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((imported) => imported.external).map((imported) => imported.path),
  );
  return [...new Set(paths)].sort();
}

/** Whether this module is the script node was started with (`tsx scripts/x.ts`), not an import. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(moduleUrl) === resolve(script);
}
