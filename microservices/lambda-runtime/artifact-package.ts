import { posix } from 'node:path';
import { unzipSync } from 'fflate';
import type { HandlerName } from './lambda-naming.js';

/** The files of a function's code, by relative path. */
export type CodeFiles = Map<string, Uint8Array>;

export interface PackageLimits {
  /** Largest unpacked size (Lambda: 250 MB). */
  maxUnpackedBytes: number;
  maxEntries: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxUnpackedBytes: 250 * 1024 * 1024,
  maxEntries: 10_000,
};

/** An artifact that cannot become a function's code; the message says why, for the resource's lastError. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}

const SCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs'] as const;

/**
 * The code inside an artifact: a `.zip` package, or a single script
 * (`.js`, `.mjs`, `.cjs`) that becomes the only file of the package. Entry
 * names that could escape the code folder (absolute, `..`, backslashes) and
 * packages larger than the limits are refused before anything is written.
 */
export function unpackArtifact(
  key: string,
  bytes: Uint8Array,
  limits: PackageLimits = DEFAULT_PACKAGE_LIMITS,
): CodeFiles {
  const base = posix.basename(key);
  if (SCRIPT_EXTENSIONS.some((extension) => base.endsWith(extension))) {
    if (bytes.byteLength > limits.maxUnpackedBytes)
      throw new ArtifactError(`${key} is larger than the limit`);
    return new Map([[base, bytes]]);
  }
  if (!base.endsWith('.zip')) throw new ArtifactError(`${key} is neither a .zip package nor a .js file`);
  let declared = 0;
  let entries = 0;
  const refusals: string[] = [];
  const files = new Set<string>();
  const folders = new Set<string>();
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, {
      // Runs once per entry the zip's directory claims, before anything is inflated: the limits stop the
      // loop itself, so a few bytes claiming millions of entries cost nothing.
      filter: (file) => {
        entries += 1;
        if (entries > limits.maxEntries)
          throw new ArtifactError(`${key} has more than ${limits.maxEntries} entries`);
        if (file.name.endsWith('/')) return false;
        declared += file.originalSize;
        if (declared > limits.maxUnpackedBytes) {
          throw new ArtifactError(`${key} unpacks to more than ${limits.maxUnpackedBytes} bytes`);
        }
        const problem = entryNameProblem(file.name) ?? clashOf(file.name, files, folders);
        if (problem) refusals.push(`${JSON.stringify(file.name.slice(0, 100))}: ${problem}`);
        if (refusals.length >= MAX_REFUSALS_LISTED) throw unsafe(key, refusals);
        return !problem;
      },
    });
  } catch (error) {
    if (error instanceof ArtifactError) throw error;
    throw new ArtifactError(`${key} is not a readable zip package: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (refusals.length > 0) throw unsafe(key, refusals);
  // A zip may understate its sizes: what was really inflated counts too.
  const actual = Object.values(unzipped).reduce((total, content) => total + content.byteLength, 0);
  if (actual > limits.maxUnpackedBytes) {
    throw new ArtifactError(`${key} unpacks to more than ${limits.maxUnpackedBytes} bytes`);
  }
  return new Map(Object.entries(unzipped));
}

/** Enough unsafe entries to say what is wrong; a package with more is refused at once. */
const MAX_REFUSALS_LISTED = 10;

function unsafe(key: string, refusals: readonly string[]): ArtifactError {
  return new ArtifactError(`${key} has unsafe entries: ${refusals.join('; ')}`);
}

/** A file named like a folder of another file (`a` and `a/b`) cannot be written: refused by name, not by EEXIST. */
function clashOf(name: string, files: Set<string>, folders: Set<string>): string | undefined {
  const parents = name
    .split('/')
    .slice(0, -1)
    .map((_segment, index, segments) => segments.slice(0, index + 1).join('/'));
  if (files.has(name) || folders.has(name) || parents.some((parent) => files.has(parent))) {
    return 'another entry has the same path, or a file stands where this entry needs a folder';
  }
  files.add(name);
  for (const parent of parents) folders.add(parent);
  return undefined;
}

function entryNameProblem(name: string): string | undefined {
  if (name.includes('\\') || name.includes('\0')) return 'backslashes and NUL are not allowed';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute paths are not allowed';
  if (name.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return '".", ".." and empty segments are not allowed';
  }
  return undefined;
}

/** The file that holds the handler's module, in Lambda's order of preference; undefined when the package has none. */
export function handlerModuleFile(files: CodeFiles, handler: HandlerName): string | undefined {
  return SCRIPT_EXTENSIONS.map((extension) => `${handler.module}${extension}`).find((file) =>
    files.has(file),
  );
}
