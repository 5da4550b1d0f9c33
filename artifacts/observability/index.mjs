// dmp's default observability endpoint: a Lambda handler (Node.js 20, no dependencies) behind an
// API Gateway Lambda proxy route. It answers the standard endpoints of a data product's observability
// API (thesis §5.5.2, figure 5.11) from what the state service knows. Paths are relative to the
// route the function is published at:
//
//   GET <route>                          what this endpoint answers (links below)
//   GET <route>/status                   the data product's state and each resource's state
//   GET <route>/outputports              every output port with its state
//   GET <route>/outputports/{port}       one port: state, info (e.g. its s3:// URI), last error, metrics
//   GET <route>/outputports/{port}/metrics   the port's metrics that exist (see METRICS below)
//   GET <route>/workloads[/{name}]       workload status
//   GET <route>/events?after=&limit=     the data product's state transitions (its history)
//
// Configuration (environment): DMP_STATE_SERVICE_URL, DMP_DATA_PRODUCT (environment/domain/name/version),
// DMP_STATE_TOKEN (a reader token; optional when the state service does not require one).
// Data quality and consumer statistics are not recorded by dmp: `.../dq/...` answers 404 saying so.

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const STATE_TIMEOUT_MS = 5_000;

/** What the handler answers when the function is deployed without its configuration. */
function readConfig(env) {
  const problems = [];
  const stateServiceUrl = (env.DMP_STATE_SERVICE_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(stateServiceUrl)) problems.push('DMP_STATE_SERVICE_URL must be an http(s) URL');
  const parts = (env.DMP_DATA_PRODUCT ?? '').split('/');
  if (parts.length !== 4 || parts.some((part) => part === '')) {
    problems.push('DMP_DATA_PRODUCT must be environment/domain/name/version');
  }
  const [environment, domain, name, version] = parts;
  return {
    problems,
    stateServiceUrl,
    token: env.DMP_STATE_TOKEN,
    ref: { environment, domain, name, version },
  };
}

function respond(statusCode, body) {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function problem(statusCode, error, message) {
  return respond(statusCode, { error, message });
}

/** A failed call to the state service, carried to the response without its details. */
class StateServiceError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function stateService(config, path) {
  const headers = { accept: 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  let response;
  try {
    response = await fetch(`${config.stateServiceUrl}${path}`, {
      headers,
      signal: AbortSignal.timeout(STATE_TIMEOUT_MS),
    });
  } catch {
    throw new StateServiceError(502, 'the state service could not be reached');
  }
  if (response.status === 404)
    throw new StateServiceError(404, 'the data product is not known to the state service');
  if (response.status === 401 || response.status === 403) {
    throw new StateServiceError(502, 'the state service refused this endpoint’s token');
  }
  if (!response.ok) throw new StateServiceError(502, `the state service answered ${response.status}`);
  return response.json();
}

function refPath(ref) {
  return [ref.environment, ref.domain, ref.name, ref.version].map(encodeURIComponent).join('/');
}

function dataProductDocument(config) {
  return stateService(config, `/v1/state/dataproduct/${refPath(config.ref)}`);
}

function resourceView(resource) {
  return {
    name: resource.name,
    kind: resource.kind,
    technology: resource.technology,
    state: resource.state,
    lastError: resource.lastError ?? null,
    updatedAt: resource.updatedAt ?? null,
  };
}

/**
 * The metrics dmp has for an output port: whether it is available, its state, how long since it
 * last changed, and whether its last operation failed. Nothing is invented for what is not measured.
 */
function metricsOf(resource, now) {
  const changed = Date.parse(resource.updatedAt ?? '');
  return [
    { name: 'available', value: resource.state === 'CREATED' ? 1 : 0, unit: 'boolean' },
    { name: 'state', value: resource.state, unit: 'state' },
    {
      name: 'secondsSinceLastChange',
      value: Number.isNaN(changed) ? null : Math.max(0, Math.round((now - changed) / 1000)),
      unit: 'seconds',
    },
    { name: 'failing', value: resource.lastError ? 1 : 0, unit: 'boolean' },
  ];
}

const ENDPOINTS = [
  'status',
  'outputports',
  'outputports/{port}',
  'outputports/{port}/metrics',
  'workloads',
  'workloads/{name}',
  'events',
];

async function route(config, segments, query, now) {
  const [first, second, third, ...rest] = segments;
  const ref = config.ref;
  if (first === undefined) {
    return respond(200, { dataProduct: ref, endpoints: ENDPOINTS });
  }
  if (first === 'status' && second === undefined) {
    const document = await dataProductDocument(config);
    return respond(200, {
      ...ref,
      state: document.state,
      lastError: document.lastError ?? null,
      updatedAt: document.updatedAt ?? null,
      resources: (document.resources ?? []).map(resourceView),
    });
  }
  if (first === 'outputports' || first === 'workloads') {
    const kind = first === 'outputports' ? 'outputPort' : 'workload';
    const document = await dataProductDocument(config);
    const resources = (document.resources ?? []).filter((resource) => resource.kind === kind);
    if (second === undefined) return respond(200, { [first]: resources.map(resourceView) });
    const resource = resources.find((candidate) => candidate.name === second);
    if (!resource)
      return problem(
        404,
        'NotFound',
        `${first === 'outputports' ? 'output port' : 'workload'} ${second} is not part of the data product`,
      );
    if (third === undefined) {
      return respond(200, {
        ...resourceView(resource),
        info: resource.info ?? null,
        ...(kind === 'outputPort' ? { metrics: metricsOf(resource, now) } : {}),
      });
    }
    if (kind === 'outputPort' && third === 'metrics' && rest.length === 0) {
      return respond(200, { port: resource.name, metrics: metricsOf(resource, now) });
    }
    if (kind === 'outputPort' && third === 'dq') {
      return problem(404, 'NotFound', 'no data quality metrics are recorded for this output port');
    }
    return problem(404, 'NotFound', `no endpoint ${segments.join('/')}`);
  }
  if (first === 'events' && second === undefined) {
    const after = /^\d+$/.test(query.after ?? '') ? query.after : '0';
    const limit = /^\d+$/.test(query.limit ?? '')
      ? String(Math.min(Math.max(Number(query.limit), 1), 100))
      : '50';
    const history = await stateService(
      config,
      `/v1/state/dataproduct/history/${refPath(ref)}?after=${after}&limit=${limit}`,
    );
    return respond(200, {
      events: (history.entries ?? []).map((entry) => ({
        seq: entry.seq,
        at: entry.at,
        resource: entry.resource ?? null,
        from: entry.from ?? null,
        to: entry.to ?? null,
        error: entry.error ?? null,
      })),
      ...(history.next !== undefined ? { next: history.next } : {}),
    });
  }
  return problem(404, 'NotFound', `no endpoint ${segments.join('/')}; see ${ENDPOINTS.join(', ')}`);
}

export const handler = async (event) => {
  const config = readConfig(process.env);
  if (config.problems.length > 0) {
    return problem(500, 'Misconfigured', `this endpoint is not configured: ${config.problems.join('; ')}`);
  }
  if (event?.httpMethod && event.httpMethod !== 'GET') {
    return problem(405, 'MethodNotAllowed', 'only GET is answered');
  }
  const segments = String(event?.pathParameters?.proxy ?? '')
    .split('/')
    .filter((segment) => segment !== '');
  try {
    return await route(config, segments, event?.queryStringParameters ?? {}, Date.now());
  } catch (error) {
    if (error instanceof StateServiceError) {
      return problem(
        error.status,
        error.status === 404 ? 'NotFound' : 'StateServiceUnavailable',
        error.message,
      );
    }
    return problem(500, 'InternalError', 'the endpoint failed');
  }
};
