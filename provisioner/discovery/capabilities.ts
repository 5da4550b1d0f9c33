import type { ResourceKind } from '../../shared/descriptor/types.js';
import { requestJson } from '../../shared/http/json-client.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { Discovery } from './discovery.js';

export interface TechnologyOfKind {
  kind: ResourceKind;
  technology: string;
}

const keyOf = ({ kind, technology }: TechnologyOfKind) => `${kind}/${technology}`;

interface CapabilitiesBody {
  immutableSpecific?: string[];
}

/**
 * What each microservice declares about its technology (today: which
 * `specific` fields are immutable), fetched once per microservice URL. A
 * microservice that cannot be asked declares nothing here; it still refuses an
 * immutable change itself when the PUT reaches it.
 */
export class MicroserviceCapabilities {
  private readonly cache = new Map<string, Promise<readonly string[]>>();

  constructor(
    private readonly discovery: Discovery,
    private readonly logger: Logger,
    private readonly token?: string,
  ) {}

  /** Resolves the immutable fields of every resource given, for synchronous lookups while planning. */
  async immutableSpecificFor(environment: string, resources: Iterable<TechnologyOfKind>) {
    const byKey = new Map([...resources].map((resource) => [keyOf(resource), resource]));
    const entries = await Promise.all(
      [...byKey].map(async ([key, resource]) => [key, await this.fetch(environment, resource)] as const),
    );
    const known = new Map(entries);
    return (resource: TechnologyOfKind): readonly string[] => known.get(keyOf(resource)) ?? [];
  }

  private fetch(environment: string, { kind, technology }: TechnologyOfKind): Promise<readonly string[]> {
    const endpoint = this.discovery.endpointFor(environment, technology, kind);
    if (!endpoint) return Promise.resolve([]);
    let pending = this.cache.get(endpoint.url);
    if (!pending) {
      pending = requestJson<CapabilitiesBody>('GET', `${endpoint.url}/v1/capabilities`, undefined, {
        timeoutMs: 3_000,
        ...(this.token ? { headers: { authorization: `Bearer ${this.token}` } } : {}),
      })
        .then((response) => (response.status === 200 ? (response.body.immutableSpecific ?? []) : []))
        .catch((error) => {
          this.logger.warn({ err: error, url: endpoint.url }, 'could not read microservice capabilities');
          this.cache.delete(endpoint.url);
          return [];
        });
      this.cache.set(endpoint.url, pending);
    }
    return pending;
  }
}
