import { Router } from 'express';
import { authorize } from '../../shared/auth/access-rules.js';
import { ROLES } from '../../shared/auth/principal.js';
import type { NewToken, TokenService } from '../../shared/auth/token-service.js';
import { NotFoundError, UnauthorizedError } from '../../shared/errors.js';
import { bearerOf, principalOf } from '../../shared/http/authenticate.js';
import { bodyValidator } from '../../shared/http/request-validation.js';

const parseNewToken = bodyValidator<NewToken>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'role', 'domains'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@-]+$' },
      role: { enum: ROLES },
      domains: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        items: { type: 'string', pattern: '^(\\*|(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,128})$' },
      },
      expiresAt: {
        type: ['string', 'null'],
        pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
      },
    },
  },
  'token request',
);

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

/** Token administration, for admins. */
export function tokenAdminRouter(tokens: TokenService): Router {
  const router = Router();

  router.get('/v1/tokens', async (_req, res) => {
    authorize(principalOf(res), 'manage-tokens');
    res.json({ items: await tokens.list() });
  });

  router.post('/v1/tokens', async (req, res) => {
    authorize(principalOf(res), 'manage-tokens');
    res.status(201).json(await tokens.issue(parseNewToken(req.body)));
  });

  router.post('/v1/tokens/:id/rotate', async (req, res) => {
    authorize(principalOf(res), 'manage-tokens');
    res.json(await tokens.rotate(tokenId(req.params.id)));
  });

  router.delete('/v1/tokens/:id', async (req, res) => {
    authorize(principalOf(res), 'manage-tokens');
    res.json(await tokens.revoke(tokenId(req.params.id)));
  });

  return router;
}

function tokenId(id: string): string {
  if (!TOKEN_ID.test(id)) throw new NotFoundError(`token ${id.slice(0, 64)} is unknown`);
  return id;
}
