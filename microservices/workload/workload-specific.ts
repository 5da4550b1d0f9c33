import type { ValidationIssue } from '../../shared/errors.js';
import {
  artifactKeyProblem,
  bucketProblem,
  functionNameProblem,
  handlerProblem,
} from '../lambda-runtime/lambda-naming.js';

/** The `specific` block of a workload, once validated. */
export interface WorkloadSpecific {
  bucket: string;
  artifact: string;
  handler: string;
  /** The readable part of the function's name (default: the resource's name); see `ownedFunctionName`. */
  lambdaName?: string;
  /** The team's own variables, next to the ones dmp sets. */
  environment: Record<string, string>;
  timeoutSeconds?: number;
  memoryMb?: number;
}

const KEYS = ['bucket', 'artifact', 'handler', 'lambdaName', 'environment', 'timeoutSeconds', 'memoryMb'];
const BASE = '/resource/specific';
/** What Lambda accepts as a variable name. */
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** dmp's own variables, and the ones Lambda reserves for its runtime. */
const RESERVED_PREFIXES = ['DMP_', 'AWS_', 'LAMBDA_'];
/** Lambda's limits. */
const TIMEOUT_SECONDS = { min: 1, max: 900 };
const MEMORY_MB = { min: 128, max: 10_240 };

/**
 * Pure checks of a workload's `specific`, every problem at once;
 * `artifactProblem` says whether the data product may run a (well-formed)
 * artifact key (see `artifactPlacementProblem`).
 */
export function parseWorkloadSpecific(
  specific: Record<string, unknown>,
  artifactExtensions: readonly string[],
  artifactProblem: (key: string) => string | undefined,
): { value?: WorkloadSpecific; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const problem = (field: string, message: string | undefined) => {
    if (message) issues.push({ path: `${BASE}/${field}`, message });
  };
  for (const key of Object.keys(specific)) {
    if (!KEYS.includes(key)) problem(key, `unknown key "${key}"; workloads take ${KEYS.join(', ')}`);
  }
  problem('bucket', bucketProblem(specific.bucket));
  problem(
    'artifact',
    artifactKeyProblem(specific.artifact, artifactExtensions) ?? artifactProblem(specific.artifact as string),
  );
  problem('handler', handlerProblem(specific.handler));
  if (specific.lambdaName !== undefined) problem('lambdaName', functionNameProblem(specific.lambdaName));
  problem('timeoutSeconds', integerProblem(specific.timeoutSeconds, TIMEOUT_SECONDS, 'seconds'));
  problem('memoryMb', integerProblem(specific.memoryMb, MEMORY_MB, 'MB'));
  issues.push(...environmentIssues(specific.environment));
  if (issues.length > 0) return { issues };
  return {
    value: {
      bucket: specific.bucket as string,
      artifact: specific.artifact as string,
      handler: specific.handler as string,
      lambdaName: specific.lambdaName as string | undefined,
      environment: { ...((specific.environment as Record<string, string> | undefined) ?? {}) },
      timeoutSeconds: specific.timeoutSeconds as number | undefined,
      memoryMb: specific.memoryMb as number | undefined,
    },
    issues,
  };
}

function integerProblem(value: unknown, { min, max }: { min: number; max: number }, unit: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return `must be an integer from ${min} to ${max} (${unit})`;
  }
  return undefined;
}

function environmentIssues(environment: unknown): ValidationIssue[] {
  if (environment === undefined) return [];
  const path = `${BASE}/environment`;
  if (environment === null || typeof environment !== 'object' || Array.isArray(environment)) {
    return [{ path, message: 'must be a map of variable names to string values' }];
  }
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(environment)) {
    const at = `${path}/${escapePointer(name)}`;
    if (!VARIABLE_NAME.test(name)) {
      issues.push({
        path: at,
        message: `"${name.slice(0, 80)}" is not a variable name (a letter, then letters, digits and '_')`,
      });
    } else if (RESERVED_PREFIXES.some((prefix) => name.toUpperCase().startsWith(prefix))) {
      issues.push({
        path: at,
        message: `${name} is reserved: names starting with ${RESERVED_PREFIXES.join(', ')} are set by dmp or Lambda`,
      });
    }
    if (typeof value !== 'string') {
      issues.push({ path: at, message: 'must be a string (quote numbers and booleans in YAML)' });
    }
  }
  return issues;
}

/** RFC 6901: `~` and `/` inside a key. */
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
