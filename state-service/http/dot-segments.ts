import { ValidationError, type ValidationIssue } from '../../shared/errors.js';

/**
 * `.` and `..` match NAME_PATTERN, but as URL path segments every HTTP client
 * (the StateClient's fetch included) resolves them away: a data product or
 * resource so named could be written, yet never be addressed again by path.
 */
const DOT_SEGMENT = /^\.{1,2}$/;

function dotSegmentIssues(input: unknown, keys: readonly string[], base: string): ValidationIssue[] {
  if (input === null || typeof input !== 'object') return [];
  const values = input as Record<string, unknown>;
  return keys
    .filter((key) => typeof values[key] === 'string' && DOT_SEGMENT.test(values[key]))
    .map((key) => ({ path: `${base}/${key}`, message: 'must not be "." or ".."' }));
}

/** Wraps a validator so that `.` and `..` in `keys` are refused too, together with every other problem. */
export function refusingDotSegments<A, T>(
  parse: (input: A) => T,
  keys: readonly string[],
  base = '',
): (input: A) => T {
  return (input) => {
    const dots = dotSegmentIssues(input, keys, base);
    let parsed: T;
    try {
      parsed = parse(input);
    } catch (error) {
      if (error instanceof ValidationError && dots.length > 0) {
        throw new ValidationError(error.message, [...error.issues, ...dots]);
      }
      throw error;
    }
    if (dots.length > 0) throw new ValidationError('The request names something "." or ".."', dots);
    return parsed;
  };
}
