import type { ValidationIssue } from '../../shared/errors.js';

/** The `specific` block of an S3 resource, once validated. */
export interface S3Specific {
  bucket: string;
  /** Folder prefixes, each without leading or trailing slash. */
  directories: string[];
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DIRECTORY_SEGMENT = /^[A-Za-z0-9_.=-]+$/;
const BASE = '/resource/specific';

/** Pure checks of `specific`: `bucket` and `directory` or `directories`, relative keys that cannot escape their prefix. */
export function parseS3Specific(specific: Record<string, unknown>): {
  value?: S3Specific;
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(specific)) {
    if (!['bucket', 'directory', 'directories'].includes(key)) {
      issues.push({
        path: `${BASE}/${key}`,
        message: `unknown key "${key}"; S3 resources take bucket and directory (or directories)`,
      });
    }
  }
  const bucket = specific.bucket;
  if (typeof bucket !== 'string' || bucket === '') {
    issues.push({ path: `${BASE}/bucket`, message: 'is required: the name of an existing S3 bucket' });
  } else if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    issues.push({
      path: `${BASE}/bucket`,
      message: `"${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`,
    });
  }

  const { directory, directories } = specific;
  let candidates: { path: string; value: unknown }[] = [];
  if (directory !== undefined && directories !== undefined) {
    issues.push({ path: `${BASE}/directories`, message: 'give either directory or directories, not both' });
  } else if (directory !== undefined) {
    candidates = [{ path: `${BASE}/directory`, value: directory }];
  } else if (Array.isArray(directories) && directories.length > 0) {
    candidates = directories.map((value, index) => ({ path: `${BASE}/directories/${index}`, value }));
  } else {
    issues.push({ path: `${BASE}/directory`, message: 'is required (or directories: a non-empty list)' });
  }

  const parsed: string[] = [];
  for (const { path, value } of candidates) {
    const problem = directoryProblem(value);
    if (problem) issues.push({ path, message: problem });
    else parsed.push((value as string).replace(/\/+$/, ''));
  }
  const duplicates = parsed.filter((item, index) => parsed.indexOf(item) !== index);
  for (const duplicate of new Set(duplicates)) {
    issues.push({ path: `${BASE}/directories`, message: `"${duplicate}" is listed more than once` });
  }
  if (issues.length > 0) return { issues };
  return { value: { bucket: bucket as string, directories: parsed }, issues };
}

function directoryProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a non-empty string such as data/raw';
  if (value.length > 512) return 'must be at most 512 characters';
  if (value.startsWith('/')) return 'must be relative to the bucket: no leading "/"';
  const segments = value.replace(/\/+$/, '').split('/');
  for (const segment of segments) {
    if (segment === '') return 'must not contain empty path segments ("//")';
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (!DIRECTORY_SEGMENT.test(segment)) {
      return `segment "${segment}" may contain only letters, digits and '_', '.', '=', '-' (no wildcards or control characters)`;
    }
  }
  return undefined;
}
