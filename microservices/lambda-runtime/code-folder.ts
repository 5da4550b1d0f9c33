import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../shared/config/env-reader.js';
import type { CodeFiles } from './artifact-package.js';

/**
 * Modes of the code folders. An invocation process (another user when the
 * platform is root) reads its folder and writes nothing: files 0644 and
 * folders 0755 owned by the platform. The code root and each function's
 * folder are 0711: it may pass through them to its own code, but not list
 * which functions and versions exist.
 */
const FILE_MODE = 0o644;
const FOLDER_MODE = 0o755;
const PASS_THROUGH_MODE = 0o711;

/**
 * As on Lambda, a `.js` file is CommonJS unless its package says `"type":
 * "module"`. Without a package.json in the code folder Node would look above
 * it, where the permission model lets it read nothing, and guess from the
 * syntax.
 */
const PACKAGE_MARKER = 'package.json';
const COMMONJS_PACKAGE = '{ "type": "commonjs" }\n';

/**
 * Creates the code root (0711, even when it existed with another mode) and
 * answers its real path: the permission model compares real paths, and reads
 * `,` as a list separator and `*` as a wildcard, which it must not contain.
 */
export async function prepareCodeRoot(codeRoot: string): Promise<string> {
  await mkdir(codeRoot, { recursive: true });
  await chmod(codeRoot, PASS_THROUGH_MODE);
  const real = await realpath(codeRoot);
  if (/[,*]/.test(real)) {
    throw new ConfigError(
      `the local Lambda code folder ${real} (DMP_LAMBDA_CODE_DIR) must not contain ',' or '*'`,
    );
  }
  return real;
}

/**
 * Writes the files into a temporary sibling, then renames: a folder that
 * exists is always complete. The folder's parent (the function's folder) is
 * created 0711.
 */
export async function writeCodeFolder(folder: string, files: CodeFiles): Promise<void> {
  if (existsSync(folder)) return;
  const parent = dirname(folder);
  await mkdir(parent, { recursive: true });
  await chmod(parent, PASS_THROUGH_MODE);
  const staging = `${folder}.staging-${randomUUID()}`;
  try {
    await mkdir(staging, { mode: FOLDER_MODE });
    await chmod(staging, FOLDER_MODE);
    for (const [path, content] of files) {
      const target = join(staging, path);
      await makeFolders(staging, dirname(path));
      await writeFile(target, content, { mode: FILE_MODE });
      await chmod(target, FILE_MODE);
    }
    if (!files.has(PACKAGE_MARKER)) {
      await writeFile(join(staging, PACKAGE_MARKER), COMMONJS_PACKAGE, { mode: FILE_MODE });
      await chmod(join(staging, PACKAGE_MARKER), FILE_MODE);
    }
    await rename(staging, folder);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process unpacked the same code first: same sha, same content.
    if (existsSync(folder)) return;
    throw error;
  }
}

/** Creates `relativeFolder` under `base` one level at a time, each 0755 whatever the umask. */
async function makeFolders(base: string, relativeFolder: string): Promise<void> {
  if (relativeFolder === '.' || relativeFolder === '') return;
  let current = base;
  for (const segment of relativeFolder.split('/')) {
    current = join(current, segment);
    if (existsSync(current)) continue;
    await mkdir(current, { mode: FOLDER_MODE });
    await chmod(current, FOLDER_MODE);
  }
}

/** A code folder unpacked before the marker existed gets it, so that it runs as it would after a fresh unpack. */
export async function ensurePackageMarker(folder: string): Promise<void> {
  const marker = join(folder, PACKAGE_MARKER);
  if (existsSync(marker)) return;
  await writeFile(marker, COMMONJS_PACKAGE, { mode: FILE_MODE });
  await chmod(marker, FILE_MODE);
}
