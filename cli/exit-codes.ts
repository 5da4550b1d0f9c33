import {
  ConflictError,
  InvalidInputError,
  NotAuthorizedError,
  ServerUnavailableError,
  UsageError,
} from './cli-errors.js';

/** The contract with pipelines: each code means one thing a CI job can act on. */
export const EXIT = {
  ok: 0,
  /** Provisioning ended FAILED or NOT_COMPLETED, or the server refused because the data product is busy. */
  failed: 1,
  /** The descriptor, a reference or the command line is invalid. */
  invalidInput: 2,
  /** `--wait` gave up before the operation settled; the operation goes on. */
  timeout: 3,
  /** No server, no answer, a server error, or 401/403. */
  unreachable: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of a settled data product state. */
export function exitCodeForState(state: string): ExitCode {
  return state === 'CREATED' || state === 'DELETED' ? EXIT.ok : EXIT.failed;
}

/** The exit code of whatever stopped a command; anything unexpected is a failure, never a success. */
export function exitCodeForError(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof InvalidInputError) return EXIT.invalidInput;
  if (error instanceof ServerUnavailableError || error instanceof NotAuthorizedError) return EXIT.unreachable;
  if (error instanceof ConflictError) return EXIT.failed;
  return EXIT.failed;
}
