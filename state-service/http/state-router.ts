import { type Request, type Response, Router } from 'express';
import { authorize, listingDomainOf } from '../../shared/auth/access-rules.js';
import { actorOf, type Principal } from '../../shared/auth/principal.js';
import { ValidationError } from '../../shared/errors.js';
import { principalOf } from '../../shared/http/authenticate.js';
import { validatedQuery } from '../../shared/http/openapi-validator.js';
import { bodyValidator, dataProductRefFromPath } from '../../shared/http/request-validation.js';
import type { LifecycleState } from '../../shared/state/lifecycle.js';
import type { DataProductWrite, ResourceWrite } from '../../shared/state/records.js';
import { writerScopeOf } from '../domain/resource-write-scope.js';
import type { StateUseCases } from '../state-use-cases.js';
import {
  cancelSchema,
  dataProductWriteSchema,
  heartbeatSchema,
  leaseSchema,
  resourceWriteSchema,
} from './write-schemas.js';

interface RefBody {
  environment: string;
  domain: string;
  name: string;
  version: string;
}
interface LeaseBody extends RefBody {
  action: 'claim' | 'renew' | 'release';
  operationId?: string;
  owner: string;
  ttlMs?: number;
}
interface HeartbeatBody {
  environment: string;
  domain: string;
  dataProduct: string;
  version: string;
  name: string;
  operationId: string;
  attempt: number;
}

const parseDataProductWrite = bodyValidator<DataProductWrite>(dataProductWriteSchema, 'data product state');
const parseResourceWrite = bodyValidator<ResourceWrite>(resourceWriteSchema, 'resource state');
const parseCancel = bodyValidator<RefBody & { actor?: string }>(cancelSchema, 'cancel request');
const parseLease = bodyValidator<LeaseBody>(leaseSchema, 'lease request');
const parseHeartbeat = bodyValidator<HeartbeatBody>(heartbeatSchema, 'heartbeat');

const DEFAULT_LEASE_MS = 30_000;

/**
 * The endpoints of the thesis' figure 5.4, plus history, listing, leases,
 * heartbeats and cancellation. Every route authorizes its action for the
 * caller; the actor recorded in the history is the caller, never a body field,
 * except that the provisioner may name the person it acts for.
 */
export function stateRouter(useCases: StateUseCases): Router {
  const router = Router();

  router.get('/v1/state/dataproduct', async (_req, res) => {
    const principal = principalOf(res);
    const query = validatedQuery<{
      environment?: string;
      domain?: string;
      state?: LifecycleState;
      limit: number;
      cursor?: string;
    }>(res);
    const domain = query.domain ?? listingDomainOf(principal);
    authorize(principal, 'read', domain);
    const page = await useCases.list({ ...query, domain }, query.limit, query.cursor);
    res.json({
      items: page.items.map(
        ({ revision: _r, seq: _s, descriptor: _d, operation: _o, ...summary }) => summary,
      ),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  });

  router.get('/v1/state/dataproduct/history/:environment/:domain/:name/:version', async (req, res) => {
    const ref = dataProductRefFromPath(req.params);
    authorize(principalOf(res), 'read', ref.domain);
    const { after, limit } = validatedQuery<{ after: number; limit: number }>(res);
    const entries = await useCases.history(ref, after, limit);
    const last = entries.at(-1);
    res.json({ entries, ...(entries.length === limit && last ? { next: last.seq } : {}) });
  });

  router.get('/v1/state/dataproduct/:environment/:domain/:name/:version', async (req, res) => {
    const ref = dataProductRefFromPath(req.params);
    authorize(principalOf(res), 'read', ref.domain);
    const { changedAfter, waitMs } = validatedQuery<{ changedAfter: number; waitMs: number }>(res);
    if (req.query.changedAfter === undefined && req.query.waitMs === undefined) {
      res.json(await useCases.getDataProduct(ref));
      return;
    }
    // A long-poll: stop waiting when the caller hangs up.
    const hangUp = new AbortController();
    res.on('close', () => hangUp.abort());
    const document = await useCases.watchDataProduct(ref, {
      changedAfter,
      waitMs,
      signal: hangUp.signal,
    });
    // Undefined only when the caller hung up: there is nobody to answer.
    if (document) res.json(document);
    else res.end();
  });

  router.get(
    '/v1/state/dataproduct/resource/:environment/:domain/:dataProduct/:version/:resource',
    async (req, res) => {
      const ref = dataProductRefFromPath(req.params, 'dataProduct');
      authorize(principalOf(res), 'read', ref.domain);
      res.json(await useCases.getResource(ref, req.params.resource));
    },
  );

  const upsertDataProduct = async (req: Request, res: Response) => {
    const principal = principalOf(res);
    authorize(principal, 'write-state');
    const write = parseDataProductWrite(req.body);
    const { record, changed } = await useCases.writeDataProduct({
      ...write,
      actor: actorFor(principal, write.actor),
    });
    const { revision: _revision, seq: _seq, ...body } = record;
    res.json({ ...body, changed });
  };
  router.put('/v1/state/dataproduct', upsertDataProduct);
  router.post('/v1/state/dataproduct', upsertDataProduct);

  router.post('/v1/state/dataproduct/cancel', async (req, res) => {
    const principal = principalOf(res);
    authorize(principal, 'write-state');
    const { actor, ...ref } = parseCancel(req.body);
    const { record, changed } = await useCases.cancel(ref, actorFor(principal, actor));
    res.json({ state: record.state, operationId: record.operationId, cancelRequested: true, changed });
  });

  router.post('/v1/state/dataproduct/lease', async (req, res) => {
    authorize(principalOf(res), 'write-state');
    const { action, owner, operationId, ttlMs = DEFAULT_LEASE_MS, ...ref } = parseLease(req.body);
    if (action === 'release') {
      await useCases.releaseLease(ref, owner);
      res.json({ released: true });
      return;
    }
    if (!operationId) {
      throw new ValidationError('The lease request is invalid', [
        { path: '/operationId', message: `is required to ${action} a lease` },
      ]);
    }
    const request = { owner, operationId, ttlMs };
    res.json(
      action === 'claim' ? await useCases.claimLease(ref, request) : await useCases.renewLease(ref, request),
    );
  });

  router.post('/v1/state/dataproduct/resource', async (req, res) => {
    const principal = principalOf(res);
    authorize(principal, 'report-resource');
    const write = parseResourceWrite(req.body);
    const { record, changed } = await useCases.writeResource(
      { ...write, actor: actorFor(principal, write.actor) },
      writerScopeOf(principal),
    );
    const { revision: _revision, seq: _seq, ...body } = record;
    res.json({ ...body, changed });
  });

  router.post('/v1/state/dataproduct/resource/heartbeat', async (req, res) => {
    const principal = principalOf(res);
    authorize(principal, 'report-resource');
    const { environment, domain, dataProduct, version, ...request } = parseHeartbeat(req.body);
    res.json(
      await useCases.heartbeat(
        { environment, domain, name: dataProduct, version },
        request,
        writerScopeOf(principal),
      ),
    );
  });

  return router;
}

/** The provisioner acts for people and says for whom; anyone else is recorded as themselves. */
function actorFor(principal: Principal, claimed: string | undefined): string {
  return principal.role === 'provisioner' && claimed ? claimed : actorOf(principal);
}
