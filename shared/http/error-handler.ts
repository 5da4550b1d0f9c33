import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from '../errors.js';
import type { Logger } from '../logging/logger.js';

/** The one response shape of every error of every service. */
export interface ErrorBody {
  error: string;
  message: string;
  errors?: { path: string; message: string; line?: number; column?: number }[];
  [detail: string]: unknown;
}

const STATUS_BY_ERROR = new Map<abstract new (...args: never) => DomainError, number>([
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UpstreamError, 503],
]);

export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    const status =
      STATUS_BY_ERROR.get(error.constructor as abstract new (...args: never) => DomainError) ?? 400;
    const body: ErrorBody = { ...error.details, error: error.name, message: error.message };
    if (error instanceof ValidationError) body.errors = error.issues;
    return { status, body };
  }
  const bodyParserError = fromBodyParser(error);
  if (bodyParserError) return bodyParserError;
  if (error instanceof URIError) {
    // The router could not percent-decode a path parameter: the URL is the caller's mistake.
    return {
      status: 400,
      body: {
        error: 'ValidationError',
        message: 'The path is invalid',
        errors: [{ path: '/path', message: 'malformed percent-encoding' }],
      },
    };
  }
  return { status: 500, body: { error: 'InternalError', message: 'internal error' } };
}

/** The answers to a body over the limit and a body that is not JSON, wherever a service parses one. */
export const BODY_TOO_LARGE = {
  status: 413,
  body: { error: 'PayloadTooLarge', message: 'the request body is larger than the limit' },
} as const satisfies { status: number; body: ErrorBody };

export const BODY_NOT_JSON = {
  status: 400,
  body: {
    error: 'ValidationError',
    message: 'The body is not valid JSON',
    errors: [{ path: '', message: 'the body is not valid JSON' }],
  },
} as const satisfies { status: number; body: ErrorBody };

/** body-parser signals its own failures with `type` and `status`; they are the caller's fault. */
function fromBodyParser(error: unknown): { status: number; body: ErrorBody } | undefined {
  if (error === null || typeof error !== 'object' || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return BODY_TOO_LARGE;
    case 'entity.parse.failed':
      return BODY_NOT_JSON;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { error: 'UnsupportedMediaType', message: 'unsupported body encoding' } };
    case 'request.aborted':
      return { status: 400, body: { error: 'BadRequest', message: 'the request was aborted' } };
    default:
      return undefined;
  }
}

/** Maps errors to responses; logs only what is the service's own fault (5xx), never a stack in a response. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, body } = toHttpError(error);
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="dmp"');
    if (status >= 500)
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'NotFound', message: `no route for ${req.method} ${req.path}` });
};
