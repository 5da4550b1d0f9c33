import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYamlDocument } from '../../../shared/descriptor/source-document.js';
import { MICROSERVICES, type Microservice } from './names.js';

/** The discovery config the code ships: which microservice serves each technology, per kind, with timeouts. */
export const LOCAL_DISCOVERY_CONFIG = fileURLToPath(
  new URL('../../../discovery-config/local.yaml', import.meta.url),
);

/**
 * The variable by which local.yaml names each microservice's URL: the stack
 * puts that microservice's API Gateway URL where local.yaml has the variable.
 */
export const URL_VARIABLES: Record<string, Microservice> = {
  DMP_S3_URL: 's3',
  DMP_EVENT_STORE_URL: 'event-store',
  DMP_OBSERVABILITY_URL: 'observability',
  DMP_WORKLOAD_URL: 'workload',
};

interface Entry {
  url: string;
  timeoutSeconds?: number;
}
type Section = Record<string, Entry>;
export type DiscoveryDocument = { environments: Record<string, Record<string, Section>> };

/**
 * The discovery document of a deployment: local.yaml's `template` environment
 * (its technologies, kinds and timeouts), for each descriptor environment the
 * deployment serves, with each microservice's URL given by `urlOf`. The same
 * shape the provisioner's Discovery reads; the stack hands it over whole as
 * DMP_DISCOVERY_DOCUMENT (see discovery-config/aws.yaml).
 */
export function renderDiscoveryDocument(
  localYaml: string,
  template: string,
  descriptorEnvironments: readonly string[],
  urlOf: (service: Microservice) => string,
): DiscoveryDocument {
  const parsed = parseYamlDocument(localYaml).value as DiscoveryDocument;
  const source = parsed?.environments?.[template];
  if (!source || typeof source !== 'object') {
    throw new Error(`discovery-config/local.yaml has no environment ${template}`);
  }
  const entry: Record<string, Section> = {};
  for (const [sectionName, section] of Object.entries(source)) {
    entry[sectionName] = {};
    for (const [technology, { url, timeoutSeconds }] of Object.entries(section)) {
      const service = serviceOfUrl(url, `${template}.${sectionName}.${technology}`);
      entry[sectionName][technology] = { url: urlOf(service), ...(timeoutSeconds ? { timeoutSeconds } : {}) };
    }
  }
  return { environments: Object.fromEntries(descriptorEnvironments.map((name) => [name, entry])) };
}

export function readLocalDiscoveryConfig(): string {
  return readFileSync(LOCAL_DISCOVERY_CONFIG, 'utf8');
}

function serviceOfUrl(url: string, where: string): Microservice {
  const variable = /^\$\{([A-Z0-9_]+)(?::-[^}]*)?\}$/.exec(url)?.[1];
  const service = variable ? URL_VARIABLES[variable] : undefined;
  if (!service || !MICROSERVICES.includes(service)) {
    throw new Error(
      `${where}: url ${url} names no microservice (expected one of ${Object.keys(URL_VARIABLES).join(', ')})`,
    );
  }
  return service;
}
