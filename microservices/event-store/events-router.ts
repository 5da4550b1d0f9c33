import { type NextFunction, type Request, type Response, Router } from 'express';
import { authorize } from '../../shared/auth/access-rules.js';
import {
  NAME_PATTERN,
  PATTERN_MESSAGES,
  VERSION_PATTERN,
} from '../../shared/descriptor/descriptor-schema.js';
import {
  NotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ValidationIssue,
} from '../../shared/errors.js';
import { principalOf } from '../../shared/http/authenticate.js';
import { jsonBody } from '../../shared/http/json-body.js';
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

/** Aggregate ids become DynamoDB keys and S3 key segments: no '/', no '#', never '.' or '..'. */
export const AGGREGATE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:=@-]{0,255}$/;
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
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
 * admin of that domain); reading is reading that domain (reader, deployer,
 * admin of it, or a platform service).
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
    (action: 'deploy' | 'read') => async (req: Request, res: Response, next: NextFunction) => {
      const { identity, aggregateId } = parsePath(req.params as Record<string, string | undefined>);
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

  router.get(PATH, resolvePort('read'), async (req, res) => {
    const { record, aggregateId } = res.locals.target as Target;
    const { from, limit } = parsePage(req.query);
    res.json(await streams.read(record, aggregateId, from, limit));
  });
  return router;
}

function parsePath(params: Record<string, string | undefined>): {
  identity: PortIdentity;
  aggregateId: string;
} {
  const issues: ValidationIssue[] = [];
  const check = (param: string, valid: (value: string) => boolean, message: string) => {
    const value = params[param] ?? '';
    if (value.length > 256 || !valid(value)) {
      issues.push({ path: `/path/${param}`, message: `${JSON.stringify(value.slice(0, 64))} ${message}` });
    }
    return value;
  };
  const name = new RegExp(NAME_PATTERN);
  const isName = (value: string) => value.length <= 128 && name.test(value);
  const nameMessage = PATTERN_MESSAGES[NAME_PATTERN] ?? 'is not a valid name';
  const identity: PortIdentity = {
    environment: check('environment', isName, nameMessage),
    domain: check('domain', isName, nameMessage),
    name: check('dataProduct', isName, nameMessage),
    version: check(
      'version',
      (value) => new RegExp(VERSION_PATTERN).test(value),
      PATTERN_MESSAGES[VERSION_PATTERN] ?? 'is not a version',
    ),
    port: check('port', isName, nameMessage),
  };
  const aggregateId = check(
    'aggregateId',
    (value) => AGGREGATE_ID_PATTERN.test(value),
    "must be 1-256 letters, digits, '_', '.', ':', '=', '@', '-', starting with a letter or digit",
  );
  if (issues.length > 0) throw new ValidationError('The path is invalid', issues);
  return { identity, aggregateId };
}

function parsePage(query: Request['query']): { from: number; limit: number } {
  const issues: ValidationIssue[] = [];
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const value = typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      issues.push({ path: `/query/${name}`, message: `must be an integer from ${min} to ${max}` });
      return fallback;
    }
    return value;
  };
  const page = {
    from: integer('from', 1, 1, Number.MAX_SAFE_INTEGER),
    limit: integer('limit', DEFAULT_PAGE, 1, MAX_PAGE),
  };
  if (issues.length > 0) throw new ValidationError('The query is invalid', issues);
  return page;
}
