import express, { type RequestHandler, Router } from 'express';
import { PayloadTooLargeError } from '../errors.js';

/**
 * Refuses a body whose announced Content-Length is over `limit` before a byte
 * of it is read. body-parser checks the length too, but answers only after it
 * has drained the whole body (to keep the connection usable): a client that
 * announces 50 MB would hold the server that long for nothing. The answer
 * closes the connection instead, so the rest is never read.
 */
export function refuseAnnouncedOverLimit(limit: number): RequestHandler {
  return (req, res, next) => {
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > limit) {
      res.setHeader('connection', 'close');
      next(new PayloadTooLargeError(`the request body is larger than the limit of ${limit} bytes`));
      return;
    }
    next();
  };
}

/** The body as bytes, whatever its type, refusing an announced oversize body before reading it. */
export function rawBody(limit: number): RequestHandler {
  return Router().use(refuseAnnouncedOverLimit(limit), express.raw({ type: () => true, limit }));
}
