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
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes, {
      filter: (file) => {
        if (file.name.endsWith('/')) return false;
        entries += 1;
        declared += file.originalSize;
        const problem = entryNameProblem(file.name);
        if (problem) refusals.push(`${JSON.stringify(file.name.slice(0, 100))}: ${problem}`);
        return !problem && entries <= limits.maxEntries && declared <= limits.maxUnpackedBytes;
      },
    });
  } catch (error) {
    throw new ArtifactError(`${key} is not a readable zip package: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (refusals.length > 0) throw new ArtifactError(`${key} has unsafe entries: ${refusals.join('; ')}`);
  if (entries > limits.maxEntries) {
    throw new ArtifactError(`${key} has more than ${limits.maxEntries} files`);
  }
  const actual = Object.values(unzipped).reduce((total, content) => total + content.byteLength, 0);
  if (declared > limits.maxUnpackedBytes || actual > limits.maxUnpackedBytes) {
    throw new ArtifactError(`${key} unpacks to more than ${limits.maxUnpackedBytes} bytes`);
  }
  return new Map(Object.entries(unzipped));
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
