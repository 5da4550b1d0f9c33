import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { authorize } from '../../shared/auth/access-rules.js';
import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { authenticate, principalOf } from '../../shared/http/authenticate.js';
import { rawBody } from '../../shared/http/body-limit.js';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import { nestsDeeperThan, tooDeepError } from '../../shared/http/json-depth.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import type { ServerLimits } from '../../shared/http/server-limits.js';
import type { Logger } from '../../shared/logging/logger.js';
import { proxyEventOf, proxyResponseOf } from './api-gateway-proxy.js';
import type { FunctionHost, Invocation } from './function-host.js';
import { functionNameProblem } from './lambda-naming.js';
import { LocalRouteCache } from './local-route-cache.js';
import type { LocalRouteTable } from './local-route-table.js';

export interface LocalLambdaServerOptions {
  host: string;
  port: number;
  /** Timeouts and connection cap of its HTTP server (DMP_HTTP_*). */
  serverLimits?: ServerLimits;
  functions: FunctionHost;
  routes: LocalRouteTable;
  logger: Logger;
  /**
   * When set, the invoke endpoint requires a dmp bearer token of a deployer or
   * admin of the function's domain. The published GET routes stay public, like
   * an API Gateway method without authorizer.
   */
  verifier?: TokenVerifier;
  /** How long the route list is trusted (default 1 s); an unknown path reloads it at once. */
  routeCacheMs?: number;
}

/** Lambda's limit on a synchronous request payload. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/**
 * The local stand-in for API Gateway and the Lambda invoke API, one per
 * machine: GET on every published route runs the route's function with an
 * API Gateway proxy event; `POST /2015-03-31/functions/{name}/invocations`
 * invokes a function as Lambda's Invoke API does (the AWS SDK can be pointed
 * at it); `GET /healthz`.
 */
export function createLocalLambdaApp(options: LocalLambdaServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const routes = new LocalRouteCache(options.routes, options.routeCacheMs ?? 1_000);
  const log = options.logger;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const invokeAuth = options.verifier ? [authenticate(options.verifier)] : [];
  app.post(
    '/2015-03-31/functions/:name/invocations',
    ...invokeAuth,
    rawBody(MAX_EVENT_BYTES),
    async (req: Request<{ name: string }>, res) => {
      const name = req.params.name;
      const problem = functionNameProblem(name);
      if (problem)
        throw new ValidationError('The function name is invalid', [{ path: '/name', message: problem }]);
      const described = await options.functions.describe(name);
      if (!described) {
        res.setHeader('x-amzn-ErrorType', 'ResourceNotFoundException');
        throw new NotFoundError(`Function not found: ${name}`, { Type: 'User' });
      }
      if (options.verifier) authorize(principalOf(res), 'deploy', domainOfOwner(described.owner));
      const event = parseEvent(req.body);
      const invocationType = req.header('x-amz-invocation-type') ?? 'RequestResponse';
      if (invocationType === 'DryRun') {
        res.status(204).end();
        return;
      }
      if (invocationType === 'Event') {
        void options.functions.invoke(name, event).then(
          (invocation) => logFailure(log, name, invocation),
          (error: unknown) => log.warn({ err: error, functionName: name }, 'asynchronous invocation failed'),
        );
        res.status(202).end();
        return;
      }
      if (invocationType !== 'RequestResponse') {
        throw new ValidationError('The invocation type is invalid', [
          { path: '/headers/x-amz-invocation-type', message: 'must be RequestResponse, Event or DryRun' },
        ]);
      }
      const invocation = await options.functions.invoke(name, event);
      logFailure(log, name, invocation);
      res.setHeader('x-amz-executed-version', '$LATEST');
      if (invocation.ok) {
        res
          .status(200)
          .type('application/json')
          .send(JSON.stringify(invocation.payload ?? null));
        return;
      }
      if (invocation.error.type === 'TooManyRequestsException') {
        res.setHeader('x-amzn-ErrorType', 'TooManyRequestsException');
        res.status(429).json({ error: 'TooManyRequests', message: invocation.error.message, Type: 'User' });
        return;
      }
      res.setHeader('x-amz-function-error', 'Unhandled');
      res.status(200).json({ errorType: invocation.error.type, errorMessage: invocation.error.message });
    },
  );

  app.get(
    '/:restApiId/:stage/*path',
    async (req: Request<{ restApiId: string; stage: string; path: string[] }>, res, next) => {
      const segments = segmentsOf(req.params.path);
      const match = await routes.find(req.params.restApiId, req.params.stage, segments);
      if (!match) {
        next();
        return;
      }
      const url = new URL(req.originalUrl, 'http://local');
      const event = proxyEventOf(match, {
        segments,
        query: url.searchParams,
        headers: req.headers,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        requestId: randomUUID(),
        now: Date.now(),
      });
      let invocation: Invocation;
      try {
        invocation = await options.functions.invoke(match.route.functionName, event);
      } catch (error) {
        if (error instanceof NotFoundError) {
          // A route whose function is gone is on its way out (the cache may hold it a moment after unpublishing).
          next();
          return;
        }
        log.warn(
          { err: error, functionName: match.route.functionName },
          'the route could not invoke its function',
        );
        badGateway(res, "the route's function could not be invoked");
        return;
      }
      logFailure(log, match.route.functionName, invocation);
      if (!invocation.ok) {
        if (invocation.error.kind === 'timeout') {
          res.status(504).json({ error: 'GatewayTimeout', message: 'the function did not answer in time' });
        } else if (invocation.error.type === 'TooManyRequestsException') {
          res
            .status(429)
            .json({ error: 'TooManyRequests', message: 'too many invocations are running; try again' });
        } else {
          badGateway(res, `the function failed (${invocation.error.type})`);
        }
        return;
      }
      const answer = proxyResponseOf(invocation.payload);
      if (!answer.ok) {
        log.warn(
          { functionName: match.route.functionName, problem: answer.problem },
          'malformed proxy response',
        );
        badGateway(res, `the function's answer is not a proxy response: ${answer.problem}`);
        return;
      }
      res.status(answer.status);
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      res.end(answer.body);
    },
  );

  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}

export function startLocalLambdaServer(options: LocalLambdaServerOptions): Promise<RunningServer> {
  return serve(createLocalLambdaApp(options), options.port, options.host, options.serverLimits);
}

function badGateway(res: Response, message: string): void {
  res.status(502).json({ error: 'BadGateway', message });
}

function logFailure(log: Logger, functionName: string, invocation: Invocation): void {
  if (!invocation.ok) log.warn({ functionName, error: invocation.error }, 'invocation failed');
}

/** Lambda takes any JSON document as the event; an empty body is `{}`. */
function parseEvent(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') return {};
  if (nestsDeeperThan(text)) throw tooDeepError();
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The event is not valid JSON', [
      { path: '', message: 'the body must be a JSON document' },
    ]);
  }
}

/** The router has percent-decoded each segment already (a malformed one is its 400): only empty ones go. */
function segmentsOf(path: string[] | string): string[] {
  const raw = Array.isArray(path) ? path : path.split('/');
  return raw.filter((segment) => segment !== '');
}

/** The domain in a function's `dmp:owner` (`environment/domain/name/version/resource`). */
function domainOfOwner(owner: string | undefined): string {
  return owner?.split('/')[1] ?? '';
}
