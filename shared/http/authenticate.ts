import type { RequestHandler, Response } from 'express';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/token-service.js';
import { UnauthorizedError } from '../errors.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,8192})$/i;

/** Requires `Authorization: Bearer <token>` and puts the verified principal in `res.locals.principal`. */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? BEARER.exec(header) : null;
    if (!match?.[1]) {
      next(new UnauthorizedError('send Authorization: Bearer <token>'));
      return;
    }
    try {
      res.locals.principal = await verifier.verify(match[1]);
      next();
    } catch (error) {
      next(error);
    }
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new UnauthorizedError('send Authorization: Bearer <token>');
  return principal;
}

/** The caller's bearer token, to forward it to the service that decides (token administration). */
export function bearerOf(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}
