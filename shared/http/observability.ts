import type { ErrorRequestHandler, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logging/logger.js';
import { requestIdOf, withRequestId } from './request-context.js';

/**
 * Structured request logs (pino-http) carrying x-request-id, which is
 * propagated to every call the request leads to, and Prometheus metrics:
 * one registry per service, so several services can share a process.
 */
export class HttpObservability {
  readonly registry = new Registry();
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor(
    readonly service: string,
    private readonly logger: Logger,
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'dmp_' });
    this.latency = new Histogram({
      name: 'dmp_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** First middleware of an app: request id, request log, latency. */
  middleware(): RequestHandler[] {
    const log = pinoHttp({
      logger: this.logger,
      genReqId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    });
    const measure: RequestHandler = (req, res, next) => {
      const end = this.latency.startTimer({ method: req.method });
      res.on('finish', () => {
        const route =
          (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path);
        end({ route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
      });
      withRequestId(String(req.id), next);
    };
    return [log, measure];
  }

  metricsHandler(): RequestHandler {
    return async (_req, res) => {
      res.setHeader('content-type', this.registry.contentType);
      res.send(await this.registry.metrics());
    };
  }
}

/** A no-op error handler type guard so that apps can keep one error handler after the observability middleware. */
export type { ErrorRequestHandler };
