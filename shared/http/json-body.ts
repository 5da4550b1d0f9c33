import express, { type RequestHandler, Router } from 'express';
import { refuseAnnouncedOverLimit } from './body-limit.js';
import { nestsDeeperThan, tooDeepError } from './json-depth.js';

/**
 * express.json with the nesting limit, refusing an announced oversize body
 * before reading it: every JSON body of every service goes through it.
 */
export function jsonBody(options: { limit: number; type?: string[] }): RequestHandler {
  return Router().use(
    refuseAnnouncedOverLimit(options.limit),
    express.json({
      ...options,
      strict: true,
      verify: (_req, _res, buffer) => {
        if (nestsDeeperThan(buffer)) throw tooDeepError();
      },
    }),
  );
}
