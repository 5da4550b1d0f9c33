import {
  ConflictError,
  InvalidInputError,
  NotAuthorizedError,
  ServerUnavailableError,
  UsageError,
} from './cli-errors.js';
import { issueLine, issuesJson } from './render/issues-text.js';
import type { Output } from './render/output.js';

/** Prints what stopped a command: every issue with its file:line in text, one document in json. */
export function reportError(out: Output, error: unknown): void {
  const known =
    error instanceof UsageError ||
    error instanceof InvalidInputError ||
    error instanceof ServerUnavailableError ||
    error instanceof NotAuthorizedError ||
    error instanceof ConflictError;
  // An unexpected error is a bug of the CLI: say so without a stack full of paths.
  const message = known
    ? error.message
    : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  const name = known ? error.name : 'InternalError';
  if (error instanceof InvalidInputError) {
    out.problem([out.style.bad(`${error.file ? `${error.file}: ` : ''}${message}`)]);
    out.problem(error.issues.map((issue) => `  ${issueLine(issue, error.file)}`));
    out.jsonDocument({ error: name, message, errors: issuesJson(error.issues, error.file) });
    return;
  }
  out.problem([out.style.bad(`error: ${message}`)]);
  out.jsonDocument({ error: name, message });
}
