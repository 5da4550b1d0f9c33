import { createHash } from 'node:crypto';
import type { DataProductRef } from '../../shared/descriptor/types.js';

/** What Lambda accepts as a function name (the short form, not an ARN). */
export const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_SEGMENT = /^[A-Za-z0-9_.=-]+$/;
const HANDLER =
  /^([A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*)\.([A-Za-z_$][A-Za-z0-9_$]*)$/;

export function functionNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required: a function name such as orders-status';
  if (!FUNCTION_NAME.test(value)) {
    return `"${value.slice(0, 80)}" is not a valid function name (1-64 letters, digits, '-' and '_')`;
  }
  return undefined;
}

export function bucketProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required: the bucket that holds the artifact';
  if (!BUCKET_NAME.test(value) || value.includes('..')) {
    return `"${value.slice(0, 80)}" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`;
  }
  return undefined;
}

/** An object key relative to the bucket, that cannot escape it, ending with one of the host's artifact extensions. */
export function artifactKeyProblem(value: unknown, extensions: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required: the key of the artifact in the bucket';
  if (value.length > 1024) return 'must be at most 1024 characters';
  if (value.startsWith('/')) return 'must be relative to the bucket: no leading "/"';
  for (const segment of value.split('/')) {
    if (segment === '') return 'must not contain empty path segments ("//") or end with "/"';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (!KEY_SEGMENT.test(segment)) {
      return `segment "${segment.slice(0, 80)}" may contain only letters, digits and '_', '.', '=', '-'`;
    }
  }
  if (!extensions.some((extension) => value.endsWith(extension))) {
    return `must be a ${extensions.join(', ')} file${extensions.length === 1 && extensions[0] === '.zip' ? ': AWS Lambda deploys .zip packages from S3' : ''}`;
  }
  return undefined;
}

export interface HandlerName {
  /** The module path inside the artifact, without extension (`dir/index`). */
  module: string;
  /** The exported function (`handler`). */
  exportName: string;
}

/** Lambda's `path/to/module.export`: the last dot separates the export from the module path. */
export function parseHandler(value: string): HandlerName | undefined {
  if (value.length > 128) return undefined;
  const match = HANDLER.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  if (match[1].split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return { module: match[1], exportName: match[2] };
}

export function handlerProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'is required: module.export, such as index.handler';
  if (!parseHandler(value)) {
    return `"${value.slice(0, 80)}" is not a handler: module path (letters, digits, '_', '-', '.', '/') then "." and the exported function, such as index.handler (at most 128 characters)`;
  }
  return undefined;
}

/** The dmp resource a function belongs to, as stored in its `dmp:owner` tag. */
export function ownerOf(ref: DataProductRef, resourceName: string): string {
  return [ref.environment, ref.domain, ref.name, ref.version, resourceName].join('/');
}

/** Hex digits of the identity hash that ends every function name: 64 bits, so no one can aim at another's name. */
const NAME_HASH_LENGTH = 16;

/**
 * The function a resource deploys. Nobody chooses a raw function name: it is
 * derived from the owning data product version and resource (and the
 * descriptor's `lambdaName`, which is only its readable part), ending with a
 * hash of that identity, within Lambda's 64 characters. Another data product
 * cannot reach the same name — neither to take a function over nor to
 * pre-claim the name of one that does not exist yet.
 */
export function ownedFunctionName(
  prefix: string,
  ref: DataProductRef,
  resourceName: string,
  lambdaName?: string,
): string {
  const identity = JSON.stringify([
    ref.environment,
    ref.domain,
    ref.name,
    ref.version,
    resourceName,
    lambdaName ?? null,
  ]);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, NAME_HASH_LENGTH);
  const readable = `${prefix}-${ref.domain}-${lambdaName ?? resourceName}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const stem = readable.slice(0, 64 - NAME_HASH_LENGTH - 1).replace(/-+$/, '');
  return `${stem}-${hash}`;
}

/**
 * The name a workload without `lambdaName` got before names were derived
 * from their owner; only used to find (and, if its `dmp:owner` tag says it is
 * this resource's, delete) a function deployed back then.
 */
export function legacyDefaultFunctionName(prefix: string, ref: DataProductRef, resourceName: string): string {
  const hash = createHash('sha256').update(ownerOf(ref, resourceName)).digest('hex').slice(0, 8);
  const readable = `${ref.domain}-${ref.name}-${ref.version}-${resourceName}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const stem = `${prefix}-${readable}`.slice(0, 64 - hash.length - 1).replace(/-+$/, '');
  return `${stem}-${hash}`;
}

/** A name usable inside an environment variable name: upper case, anything else `_`. */
export function environmentNamePart(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Lambda's limit on the total size of a function's environment variables. */
export const MAX_ENVIRONMENT_BYTES = 4 * 1024;

export function environmentBytes(environment: Record<string, string>): number {
  return Object.entries(environment).reduce(
    (total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
}
