/**
 * What can stop a command. The classes say what went wrong; `exit-codes.ts`
 * alone decides which exit code each one means.
 */

/** One problem of the input, located in the descriptor file when possible. */
export interface InputIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
  rule?: string;
}

/** The command line itself is wrong: an unknown option, a missing argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The descriptor (or a reference) is invalid, offline or as the server says (400, 404, 413, 415). */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly issues: InputIssue[],
    /** The descriptor file the issues' lines refer to. */
    readonly file?: string,
  ) {
    super(message);
  }
}

/** No server configured, no answer, or a server error (5xx). */
export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
}

/** 401 or 403: the token is missing, wrong, or does not allow this. */
export class NotAuthorizedError extends Error {
  override readonly name = 'NotAuthorizedError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** 409: the data product is busy (CREATING/UPDATING/DELETING) or has nothing to cancel. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}
