/**
 * The parameters of one environment's stack, read from the CDK context
 * (`cdk.json` → `dmp.defaults`, then `dmp.environments.<name>`, then `-c` on
 * the command line), validated once: every bad value is reported at once and
 * synth stops before anything is built.
 */
export interface DmpStackSettings {
  /** The deployment's name (`dev`, `prod`): stack `dmp-<name>`, resources `dmp-<name>-…`. */
  environment: string;
  /** The descriptor environments (`environment.name` in a data product) this deployment provisions. */
  descriptorEnvironments: string[];
  /** Which environment of discovery-config/local.yaml gives the technologies and their timeouts. */
  discoveryTemplate: string;
  /** The container image of the provisioner, the state service and the event-store data plane (ECR, this account and region). */
  image: { repository: string; tag: string };
  /** The folder holding `s3.zip`, `event-store.zip`, `observability.zip`, `workload.zip` (`npm run package:lambda`). */
  lambdaAssetDir: string;
  /** Lambda handler of every microservice zip. */
  lambdaHandler: string;
  fargate: {
    cpu: number;
    memoryMiB: number;
    provisionerTasks: number;
    stateServiceTasks: number;
    /** The event-store data plane (append/read events) on Fargate; 0 leaves it out. */
    eventStoreDataTasks: number;
  };
  lambda: { memoryMb: number; timeoutSeconds: number };
  /** Buckets holding data products' folders: the only ones the S3 and event-store microservices may touch. */
  dataBuckets: string[];
  /** Buckets holding function artifacts (workloads, observability endpoints): read by the Lambda microservices. */
  artifactBuckets: string[];
  /** IAM path of the roles data products name as owners and consumers: the only roles dmp writes policies on. */
  grantableRolePath: string;
  vpc: { cidr: string; maxAzs: number; natGateways: number };
  /** Who may reach the internal load balancer besides the VPC itself (CI runners, a VPN). */
  allowedCidrs: string[];
  logRetentionDays: number;
  /** Subscribed to the alarm topic when set. */
  alarmEmail?: string;
  /** 5xx share of requests (percent) over 5 minutes that raises an alarm. */
  alarm5xxPercent: number;
  /** Bump to re-read every service token from Secrets Manager (after a rotation). */
  secretsGeneration: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const ENVIRONMENT = /^[a-z][a-z0-9]{1,11}$/;
const DESCRIPTOR_ENVIRONMENT = /^[A-Za-z0-9_-]{1,64}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ROLE_PATH = /^\/([A-Za-z0-9+=,.@_-]+\/)+$/;
const ECR_REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const HANDLER = /^[A-Za-z0-9_/.-]+\.[A-Za-z_$][A-Za-z0-9_$]*$/;
/** What CloudWatch Logs accepts as a retention. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** Fargate's CPU units and the memory sizes each allows (MiB). */
const FARGATE_SIZES: Record<number, [number, number]> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

export const DEFAULT_SETTINGS: Omit<DmpStackSettings, 'environment' | 'descriptorEnvironments'> = {
  discoveryTemplate: 'production',
  image: { repository: 'dmp', tag: 'latest' },
  lambdaAssetDir: '../../dist/lambda',
  lambdaHandler: 'index.handler',
  fargate: { cpu: 256, memoryMiB: 512, provisionerTasks: 2, stateServiceTasks: 2, eventStoreDataTasks: 2 },
  lambda: { memoryMb: 512, timeoutSeconds: 900 },
  dataBuckets: [],
  artifactBuckets: [],
  grantableRolePath: '/dmp-data/',
  vpc: { cidr: '10.40.0.0/16', maxAzs: 2, natGateways: 1 },
  allowedCidrs: [],
  logRetentionDays: 30,
  alarm5xxPercent: 5,
  secretsGeneration: '1',
};

type Json = Record<string, unknown>;

/**
 * The settings of `environment`: the defaults, overridden by `dmp.defaults`,
 * by `dmp.environments[environment]`, then by `overrides` (single `-c` values).
 */
export function resolveSettings(environment: string, context: Json, overrides: Json = {}): DmpStackSettings {
  const problems: string[] = [];
  const defaults = objectAt(context, 'defaults', problems);
  const environments = objectAt(context, 'environments', problems);
  const own = objectAt(environments, environment, problems, `environments.${environment}`);
  const merged = deepMerge(deepMerge(deepMerge({ ...DEFAULT_SETTINGS } as Json, defaults), own), overrides);
  const settings = {
    descriptorEnvironments: [environment],
    ...merged,
    environment,
  } as unknown as DmpStackSettings;
  problems.push(...settingsProblems(settings));
  if (problems.length > 0) {
    throw new SettingsError(
      `the settings of environment ${environment} are invalid:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return settings;
}

/** Every problem of a merged settings object; empty when it is usable. */
export function settingsProblems(s: DmpStackSettings): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  check(
    typeof s.environment === 'string' && ENVIRONMENT.test(s.environment),
    `environment "${s.environment}" must be 2-12 lowercase letters and digits, starting with a letter`,
  );
  check(
    stringList(s.descriptorEnvironments) &&
      s.descriptorEnvironments.length > 0 &&
      s.descriptorEnvironments.every((name) => DESCRIPTOR_ENVIRONMENT.test(name)),
    'descriptorEnvironments must be a non-empty list of environment names (letters, digits, _ and -)',
  );
  check(typeof s.discoveryTemplate === 'string', 'discoveryTemplate must be an environment of local.yaml');
  check(
    typeof s.image?.repository === 'string' && ECR_REPOSITORY.test(s.image.repository),
    'image.repository must be an ECR repository name',
  );
  check(typeof s.image?.tag === 'string' && IMAGE_TAG.test(s.image.tag), 'image.tag must be an image tag');
  check(typeof s.lambdaAssetDir === 'string' && s.lambdaAssetDir !== '', 'lambdaAssetDir must be a folder');
  check(
    typeof s.lambdaHandler === 'string' && HANDLER.test(s.lambdaHandler),
    'lambdaHandler must be module.export',
  );
  const memory = FARGATE_SIZES[s.fargate?.cpu];
  check(memory !== undefined, `fargate.cpu must be one of ${Object.keys(FARGATE_SIZES).join(', ')}`);
  if (memory) {
    check(
      integer(s.fargate.memoryMiB, memory[0], memory[1]) &&
        (s.fargate.memoryMiB % 1024 === 0 || s.fargate.memoryMiB === 512),
      `fargate.memoryMiB must be ${memory[0]}-${memory[1]} (512 or a multiple of 1024) for ${s.fargate.cpu} CPU units`,
    );
  }
  // Leases make replicas safe, and two tasks keep each service up through a deployment or a lost task.
  check(integer(s.fargate?.provisionerTasks, 2, 50), 'fargate.provisionerTasks must be 2-50');
  check(integer(s.fargate?.stateServiceTasks, 2, 50), 'fargate.stateServiceTasks must be 2-50');
  check(integer(s.fargate?.eventStoreDataTasks, 0, 50), 'fargate.eventStoreDataTasks must be 0-50');
  check(integer(s.lambda?.memoryMb, 128, 10_240), 'lambda.memoryMb must be 128-10240');
  // The asynchronous invocation does the work; it gets Lambda's longest timeout by default.
  check(integer(s.lambda?.timeoutSeconds, 30, 900), 'lambda.timeoutSeconds must be 30-900');
  check(
    stringList(s.dataBuckets) && s.dataBuckets.every((name) => BUCKET.test(name)),
    'dataBuckets must be a list of S3 bucket names',
  );
  check(
    stringList(s.artifactBuckets) && s.artifactBuckets.every((name) => BUCKET.test(name)),
    'artifactBuckets must be a list of S3 bucket names',
  );
  check(
    typeof s.grantableRolePath === 'string' &&
      ROLE_PATH.test(s.grantableRolePath) &&
      s.grantableRolePath !== '/',
    'grantableRolePath must be an IAM path below the root, such as /dmp-data/',
  );
  check(
    typeof s.vpc?.cidr === 'string' && isCidr(s.vpc.cidr, 16, 24),
    'vpc.cidr must be an IPv4 CIDR from /16 to /24',
  );
  check(integer(s.vpc?.maxAzs, 2, 3), 'vpc.maxAzs must be 2 or 3');
  check(integer(s.vpc?.natGateways, 1, 3), 'vpc.natGateways must be 1-3');
  check(
    stringList(s.allowedCidrs) && s.allowedCidrs.every((cidr) => isCidr(cidr, 8, 32)),
    'allowedCidrs must be a list of IPv4 CIDRs',
  );
  check(
    (LOG_RETENTION_DAYS as readonly number[]).includes(s.logRetentionDays),
    `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
  );
  check(
    s.alarmEmail === undefined ||
      (typeof s.alarmEmail === 'string' && /^[^@\s]+@[^@\s]+$/.test(s.alarmEmail)),
    'alarmEmail must be an email address',
  );
  check(
    typeof s.alarm5xxPercent === 'number' && s.alarm5xxPercent > 0 && s.alarm5xxPercent <= 100,
    'alarm5xxPercent must be more than 0 and at most 100',
  );
  check(
    typeof s.secretsGeneration === 'string' && /^[A-Za-z0-9_.-]{1,32}$/.test(s.secretsGeneration),
    'secretsGeneration must be 1-32 letters, digits, _ . -',
  );
  return problems;
}

function objectAt(parent: Json, key: string, problems: string[], label = key): Json {
  const value = parent[key];
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`dmp.${label} must be an object`);
    return {};
  }
  return value as Json;
}

/** Objects merge key by key; anything else (lists included) is replaced. */
function deepMerge(base: Json, over: Json): Json {
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current as Json, value as Json) : value;
  }
  return result;
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function integer(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function stringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isCidr(value: string, minPrefix: number, maxPrefix: number): boolean {
  const match = CIDR.exec(value);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  return octets.every((octet) => octet <= 255) && prefix >= minPrefix && prefix <= maxPrefix;
}

/**
 * Single values from the command line: `-c dmp:image.tag=1.4.0` sets
 * `image.tag`; a value that parses as JSON (numbers, lists) is taken as such.
 */
export function contextOverrides(all: Record<string, unknown>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(all)) {
    if (!key.startsWith('dmp:')) continue;
    const path = key.slice('dmp:'.length).split('.');
    let target = overrides;
    for (const part of path.slice(0, -1)) {
      target[part] = isPlainObject(target[part]) ? target[part] : {};
      target = target[part] as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = parseValue(raw);
  }
  return overrides;
}

function parseValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
