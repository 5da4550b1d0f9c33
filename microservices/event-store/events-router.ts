import { type NextFunction, type Request, type Response, Router } from 'express';
import { authorize } from '../../shared/auth/access-rules.js';
import { NotFoundError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { principalOf } from '../../shared/http/authenticate.js';
import { jsonBody } from '../../shared/http/json-body.js';
import { validatedQuery } from '../../shared/http/openapi-validator.js';
import { parseAppendCommand } from './append-command.js';
import type { EventStreams } from './event-streams.js';
import { describePort, eventTableName, type PortIdentity } from './port-identity.js';
import type { PortRecord, PortRegistry } from './port-registry.js';

export interface EventsRouterOptions {
  streams: EventStreams;
  registry: PortRegistry;
  tablePrefix: string;
  /** Largest append body; events beyond DynamoDB's item limit are claim-checked, so this is well above 400 KB. */
  bodyLimitBytes: number;
}

const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];
interface Target {
  record: PortRecord;
  aggregateId: string;
}

const PATH = '/v1/events/:environment/:domain/:dataProduct/:version/:port/:aggregateId';

/**
 * The data plane of event-store ports, mounted after authentication. Who may
 * do what, by the caller's dmp token (tokens carry a role and domains, not
 * IAM roles): appending is deploying data of the port's domain (deployer or
 * admin of that domain); reading is for the domain's people (reader, deployer,
 * admin of it): no service credential reads event payloads, nor a token a
 * service issued.
 */
export function createEventsRouter({
  streams,
  registry,
  tablePrefix,
  bodyLimitBytes,
}: EventsRouterOptions): Router {
  const router = Router();
  /** Authorizes by the path's domain first (a stranger learns nothing), then finds the provisioned port. */
  const resolvePort =
    (action: 'deploy' | 'read-events') => async (req: Request, res: Response, next: NextFunction) => {
      // The OpenAPI validator in front of this router has checked every path parameter.
      const { identity, aggregateId } = targetOf(req.params as Record<string, string>);
      authorize(principalOf(res), action, identity.domain);
      const record = await registry.get(eventTableName(tablePrefix, identity), identity.version);
      if (!record) throw new NotFoundError(`event-store port ${describePort(identity)} is not provisioned`);
      res.locals.target = { record, aggregateId } satisfies Target;
      next();
    };
  const requireJson = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is(JSON_TYPES)) throw new UnsupportedMediaTypeError('send the events as application/json');
    next();
  };

  router.post(
    PATH,
    resolvePort('deploy'),
    requireJson,
    jsonBody({ limit: bodyLimitBytes, type: JSON_TYPES }),
    async (req, res) => {
      const { record, aggregateId } = res.locals.target as Target;
      const command = parseAppendCommand(req.body, {
        owner: record.domain,
        queryExpectedVersion: req.query.expectedVersion,
      });
      const { result, replayed } = await streams.append(record, aggregateId, command);
      res.status(replayed ? 200 : 201).json({ ...result, replayed });
    },
  );

  router.get(PATH, resolvePort('read-events'), async (_req, res) => {
    const { record, aggregateId } = res.locals.target as Target;
    const { from, limit } = validatedQuery<{ from: number; limit: number }>(res);
    res.json(await streams.read(record, aggregateId, from, limit));
  });
  return router;
}

function targetOf(params: Record<string, string>): { identity: PortIdentity; aggregateId: string } {
  const { environment, domain, dataProduct, version, port, aggregateId } = params;
  return {
    identity: { environment, domain, name: dataProduct, version, port } as PortIdentity,
    aggregateId: aggregateId as string,
  };
}
