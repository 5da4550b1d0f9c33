import express, { type RequestHandler } from 'express';
import { nestsDeeperThan, tooDeepError } from './json-depth.js';

/** express.json with the nesting limit: every JSON body of every service goes through it. */
export function jsonBody(options: { limit: number; type?: string[] }): RequestHandler {
  return express.json({
    ...options,
    strict: true,
    verify: (_req, _res, buffer) => {
      if (nestsDeeperThan(buffer)) throw tooDeepError();
    },
  });
}
