/**
 * Domain errors. They know nothing of HTTP: `shared/http/error-handler.ts` maps
 * each class to a status code and one response shape.
 */

/** One problem in a request, located by a JSON pointer and, for YAML input, a 1-based line. */
export interface ValidationIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  /** The governance rule violated, when the problem is a policy violation. */
  rule?: string;
}

export abstract class DomainError extends Error {
  /** Extra fields that are safe to show to the caller. */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[], options?: ErrorOptions) {
    super(message, {}, options);
    this.issues = issues;
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFound';
}

/** No credentials, or credentials that prove nothing. */
export class UnauthorizedError extends DomainError {
  override readonly name = 'Unauthorized';
}

/** Valid credentials that do not allow this. */
export class ForbiddenError extends DomainError {
  override readonly name = 'Forbidden';
}

export class ConflictError extends DomainError {
  override readonly name = 'Conflict';
}

export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLarge';
}

export class UnsupportedMediaTypeError extends DomainError {
  override readonly name = 'UnsupportedMediaType';
}

/** Another service (or AWS) could not be reached or answered with a server error. */
export class UpstreamError extends DomainError {
  override readonly name = 'UpstreamUnavailable';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
