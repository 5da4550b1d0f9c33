import {
  type DataProductDescriptor,
  RESOURCE_LISTS,
  type ResourceListName,
  refOf,
} from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { requestJson } from '../../shared/http/json-client.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { Discovery } from './discovery.js';

type ErrorBody = { errors?: ValidationIssue[]; message?: string };

/**
 * Asks each resource's microservice to check its `specific` block before the
 * descriptor is accepted, so a bad folder name is a 400 with its line, not a
 * FAILED resource later. A microservice that cannot be asked is skipped: it
 * still checks the request when the resource is dispatched.
 */
export class SpecificChecks {
  constructor(
    private readonly discovery: Discovery,
    private readonly logger: Logger,
    private readonly token?: string,
  ) {}

  async issuesOf(descriptor: DataProductDescriptor): Promise<ValidationIssue[]> {
    const checks = (Object.keys(RESOURCE_LISTS) as ResourceListName[]).flatMap((list) =>
      descriptor[list].map((resource, index) => ({ path: `/${list}/${index}`, resource })),
    );
    const results = await Promise.all(
      checks.map(async ({ path, resource }) => {
        const endpoint = this.discovery.endpointFor(
          descriptor.environment.name,
          resource.technology,
          resource.kind,
        );
        if (!endpoint) return [];
        const request: ResourceRequest = {
          operationId: 'validation',
          dataProduct: refOf(descriptor),
          descriptor,
          resource,
          removeData: false,
          attempt: 1,
        };
        try {
          const response = await requestJson<ErrorBody>(
            'POST',
            `${endpoint.url}/v1/dataproduct/resource/validate`,
            request,
            {
              timeoutMs: 5_000,
              ...(this.token ? { headers: { authorization: `Bearer ${this.token}` } } : {}),
            },
          );
          if (response.status !== 400) return [];
          return (response.body.errors ?? []).map((issue) => ({
            ...issue,
            path: issue.path.startsWith('/resource')
              ? `${path}${issue.path.slice('/resource'.length)}`
              : path,
          }));
        } catch (error) {
          this.logger.warn(
            { err: error, url: endpoint.url },
            'could not ask the microservice to check a resource',
          );
          return [];
        }
      }),
    );
    return results.flat();
  }
}
