import { Ajv, type Schema, type ValidateFunction } from 'ajv';
import { NAME_PATTERN, PATTERN_MESSAGES, VERSION_PATTERN } from '../descriptor/descriptor-schema.js';
import { issuesFromAjv } from '../descriptor/schema-issues.js';
import type { DataProductRef } from '../descriptor/types.js';
import { ValidationError, type ValidationIssue } from '../errors.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });

/**
 * Compiles a JSON schema once, on first use (compiling costs a process that
 * never validates, such as `dmp --help`, a large part of its start-up); the
 * returned function returns the typed body or throws every problem at once.
 */
export function bodyValidator<T>(schema: Schema, what: string): (body: unknown) => T {
  let compiled: ValidateFunction | undefined;
  return (body) => {
    compiled ??= ajv.compile(schema);
    const validate = compiled;
    if (validate(body)) return body as T;
    throw new ValidationError(`The ${what} is invalid`, issuesFromAjv(validate.errors, PATTERN_MESSAGES));
  };
}

const namePattern = new RegExp(NAME_PATTERN);
const versionPattern = new RegExp(VERSION_PATTERN);

/** Path parameters naming a data product (and optionally a resource): checked before they reach any key. */
export function dataProductRefFromPath(
  params: Record<string, string | undefined>,
  nameParam = 'name',
): DataProductRef {
  const issues: ValidationIssue[] = [];
  const check = (param: string, pattern: RegExp, message: string): string => {
    const value = params[param] ?? '';
    if (value.length === 0 || value.length > 128 || !pattern.test(value)) {
      issues.push({ path: `/path/${param}`, message: `${JSON.stringify(value.slice(0, 130))} ${message}` });
    }
    return value;
  };
  const nameMessage = PATTERN_MESSAGES[NAME_PATTERN] ?? '';
  const ref = {
    environment: check('environment', namePattern, nameMessage),
    domain: check('domain', namePattern, nameMessage),
    name: check(nameParam, namePattern, nameMessage),
    version: check('version', versionPattern, PATTERN_MESSAGES[VERSION_PATTERN] ?? ''),
  };
  if (params.resource !== undefined) check('resource', namePattern, nameMessage);
  if (issues.length > 0) throw new ValidationError('The path is invalid', issues);
  return ref;
}
