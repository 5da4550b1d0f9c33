import type { ErrorObject } from 'ajv';
import type { ValidationIssue } from '../errors.js';
import { closestWord } from './closest-word.js';
import { escapePointerToken } from './source-document.js';

/**
 * Turns ajv errors into issues a person can act on: the pointer of the
 * offending value and a sentence, with the closest known key for a typo.
 * Shared by every ajv schema of the platform (descriptor, requests, `specific`).
 */
export function issuesFromAjv(
  errors: readonly ErrorObject[] | null | undefined,
  patternMessages: Record<string, string> = {},
  basePath = '',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors ?? []) {
    const path = `${basePath}${error.instancePath}`;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(error.params.additionalProperty);
        const known = Object.keys(
          (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
        );
        const suggestion = closestWord(key, known);
        const hint = suggestion
          ? `; did you mean "${suggestion}"?`
          : known.length > 0
            ? `; known keys: ${known.join(', ')}`
            : '; none is accepted here';
        issues.push({ path: `${path}/${escapePointerToken(key)}`, message: `unknown key "${key}"${hint}` });
        break;
      }
      case 'required':
        issues.push({
          path: `${path}/${escapePointerToken(String(error.params.missingProperty))}`,
          message: 'is required',
        });
        break;
      case 'pattern': {
        const pattern = String(error.params.pattern);
        issues.push({ path, message: patternMessages[pattern] ?? `must match the pattern ${pattern}` });
        break;
      }
      case 'minLength':
        issues.push({
          path,
          message:
            error.params.limit === 1
              ? 'must not be empty'
              : `must be at least ${error.params.limit} characters`,
        });
        break;
      case 'uniqueItems':
        issues.push({
          path,
          message: `must not repeat a value (items ${error.params.j} and ${error.params.i} are equal)`,
        });
        break;
      case 'type':
        issues.push({ path, message: `must be ${article(String(error.params.type))}` });
        break;
      default:
        issues.push({ path, message: error.message ?? 'is invalid' });
    }
  }
  // An empty string also fails its pattern; saying it is empty is enough.
  const empty = new Set(
    issues.filter((issue) => issue.message === 'must not be empty').map((issue) => issue.path),
  );
  return issues.filter((issue) => !empty.has(issue.path) || issue.message === 'must not be empty');
}

function article(type: string): string {
  if (type === 'array' || type === 'object' || type === 'integer') return `an ${type}`;
  return `a ${type}`;
}
