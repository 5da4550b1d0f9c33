import express, { type Request, type Response, Router } from 'express';
import { NAME_PATTERN } from '../../shared/descriptor/descriptor-schema.js';
import { dataProductPath } from '../../shared/descriptor/types.js';
import { ValidationError } from '../../shared/errors.js';
import { principalOf } from '../../shared/http/authenticate.js';
import { bodyValidator, dataProductRefFromPath } from '../../shared/http/request-validation.js';
import { DATA_PRODUCT_STATES, type LifecycleState } from '../../shared/state/lifecycle.js';
import type { OperationAccepted, ProvisioningUseCases } from '../provisioning-use-cases.js';
import { descriptorFromBody } from './descriptor-body.js';

const name = { type: 'string', minLength: 1, maxLength: 128, pattern: NAME_PATTERN };
const parseListQuery = bodyValidator<{
  environment?: string;
  domain?: string;
  state?: LifecycleState;
  limit?: string;
  cursor?: string;
}>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      environment: name,
      domain: name,
      state: { enum: DATA_PRODUCT_STATES },
      limit: { type: 'string', pattern: '^([1-9][0-9]?|100)$' },
      cursor: { type: 'string', maxLength: 2048 },
    },
  },
  'query',
);
const parseHistoryQuery = bodyValidator<{ after?: string; limit?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      after: { type: 'string', pattern: '^(0|[1-9][0-9]{0,8})$' },
      limit: { type: 'string', pattern: '^([1-9][0-9]{0,2}|1000)$' },
    },
  },
  'query',
);

/** The endpoints of the thesis' figure 5.2, plus plan, cancel, history and listing. */
export function provisionerRouter(useCases: ProvisioningUseCases, bodyLimitBytes: number): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: bodyLimitBytes });

  const accepted = (res: Response, result: OperationAccepted) => {
    res
      .status(result.changed ? 202 : 200)
      .location(`/v1/dataproduct/state/${dataProductPath(result)}`)
      .json(result);
  };

  router.get('/v1/dataproduct', async (req, res) => {
    const { limit, ...filter } = parseListQuery({ ...req.query });
    res.json(
      await useCases.list({ ...filter, ...(limit ? { limit: Number(limit) } : {}) }, principalOf(res)),
    );
  });

  router.post('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(res, await useCases.deploy(descriptorFromBody(req), principalOf(res)));
  });

  router.post('/v1/dataproduct/plan', rawBody, async (req, res) => {
    res.json(await useCases.plan(descriptorFromBody(req), principalOf(res)));
  });

  router.delete('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(
      res,
      await useCases.removeByDescriptor(descriptorFromBody(req), removeDataFlag(req), principalOf(res)),
    );
  });

  router.delete('/v1/dataproduct/:environment/:domain/:name/:version', async (req, res) => {
    accepted(
      res,
      await useCases.remove(dataProductRefFromPath(req.params), removeDataFlag(req), principalOf(res)),
    );
  });

  router.post('/v1/dataproduct/:environment/:domain/:name/:version/cancel', async (req, res) => {
    res.status(202).json(await useCases.cancel(dataProductRefFromPath(req.params), principalOf(res)));
  });

  router.get('/v1/dataproduct/state/:environment/:domain/:name/:version', async (req, res) => {
    const ref = dataProductRefFromPath(req.params);
    const { changedAfter, waitMs } = req.query;
    if (changedAfter === undefined && waitMs === undefined) {
      res.json(await useCases.getState(ref, principalOf(res)));
      return;
    }
    // A long-poll, passed on to the state service: stop waiting when the caller hangs up. (The OpenAPI
    // validator has checked both are integers in range.)
    const hangUp = new AbortController();
    res.on('close', () => hangUp.abort());
    const watch = {
      changedAfter: Number(changedAfter ?? 0),
      waitMs: Number(waitMs ?? 0),
      signal: hangUp.signal,
    };
    try {
      res.json(await useCases.getState(ref, principalOf(res), watch));
    } catch (error) {
      // The caller hung up, and the wait on the state service was dropped with it: nobody to answer.
      if (hangUp.signal.aborted) return;
      throw error;
    }
  });

  router.get('/v1/dataproduct/history/:environment/:domain/:name/:version', async (req, res) => {
    const query = parseHistoryQuery({ ...req.query });
    res.json(
      await useCases.history(
        dataProductRefFromPath(req.params),
        Number(query.after ?? 0),
        Number(query.limit ?? 100),
        principalOf(res),
      ),
    );
  });

  return router;
}

function removeDataFlag(req: Request): boolean {
  const value = req.query.removeData;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('The query is invalid', [
    { path: '/query/removeData', message: 'must be true or false' },
  ]);
}
