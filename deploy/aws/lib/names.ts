/** The microservices that run as Lambda functions, by the name of their zip in dist/lambda. */
export const MICROSERVICES = ['s3', 'event-store', 'observability', 'workload'] as const;
export type Microservice = (typeof MICROSERVICES)[number];

/** The key in PLATFORM_TOKENS (shared/auth/bootstrap-tokens.ts) of each service's own token. */
export const SERVICE_TOKEN_KEYS = {
  provisioner: 'provisioner',
  s3: 's3',
  'event-store': 'eventStore',
  observability: 'observability',
  workload: 'workload',
} as const satisfies Record<'provisioner' | Microservice, string>;

/** Every token the stack keeps in Secrets Manager: the services' and the first admin's. */
export const STACK_TOKEN_KEYS = ['admin', ...new Set(Object.values(SERVICE_TOKEN_KEYS))] as const;

/** Every name the stack gives starts with this: `dmp-prod-…`. */
export function namePrefix(environment: string): string {
  return `dmp-${environment}`;
}

/** The code's default table name (`dmp-tokens`) within a deployment: `dmp-prod-tokens`. */
export function tableNameOf(environment: string, defaultName: string): string {
  if (!defaultName.startsWith('dmp-')) throw new Error(`table ${defaultName} does not start with dmp-`);
  return `${namePrefix(environment)}-${defaultName.slice('dmp-'.length)}`;
}

export function functionNameOf(
  environment: string,
  service: Microservice | 'api-authorizer' | 'token-bootstrap',
) {
  return `${namePrefix(environment)}-${service}`;
}

/** The prefix of the per-port event tables the event store creates (DMP_EVENT_STORE_TABLE_PREFIX). */
export function eventTablePrefixOf(environment: string): string {
  return `${namePrefix(environment)}-events`;
}

/** Secrets Manager name of a kept token. */
export function tokenSecretNameOf(environment: string, key: string): string {
  return `${namePrefix(environment)}/tokens/${key}`;
}

/** The data products' functions and APIs the Lambda microservices may manage start with this. */
export const DATA_PRODUCT_FUNCTION_PREFIX = 'dmp-';
