import { Router } from 'express';
import type { NewToken, TokenService } from '../../shared/auth/token-service.js';
import { NotFoundError, UnauthorizedError } from '../../shared/errors.js';
import { bearerOf, principalOf } from '../../shared/http/authenticate.js';
import { bodyValidator } from '../../shared/http/request-validation.js';
import type { TokenUseCases } from '../token-use-cases.js';
import { newTokenSchema } from './token-schemas.js';

const parseNewToken = bodyValidator<NewToken>(newTokenSchema, 'token request');

const TOKEN_ID = /^[a-f0-9]{32}$/;

/** Verification for the other services: the caller presents a token and learns only what that token may do. */
export function verifyRouter(tokens: TokenService): Router {
  const router = Router();
  router.post('/v1/auth/verify', async (req, res) => {
    const token = bearerOf(req.headers.authorization);
    if (!token) throw new UnauthorizedError('send Authorization: Bearer <token>');
    res.json(await tokens.verify(token));
  });
  return router;
}

/** Token administration: who may do what is the use cases' decision. */
export function tokenAdminRouter(tokens: TokenUseCases): Router {
  const router = Router();

  router.get('/v1/tokens', async (_req, res) => {
    res.json({ items: await tokens.list(principalOf(res)) });
  });

  router.post('/v1/tokens', async (req, res) => {
    res.status(201).json(await tokens.issue(principalOf(res), parseNewToken(req.body)));
  });

  router.post('/v1/tokens/:id/rotate', async (req, res) => {
    res.json(await tokens.rotate(principalOf(res), tokenId(req.params.id)));
  });

  router.delete('/v1/tokens/:id', async (req, res) => {
    res.json(await tokens.revoke(principalOf(res), tokenId(req.params.id)));
  });

  return router;
}

function tokenId(id: string): string {
  if (!TOKEN_ID.test(id)) throw new NotFoundError(`token ${id.slice(0, 64)} is unknown`);
  return id;
}
