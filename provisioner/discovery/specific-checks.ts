import {
  type DataProductDescriptor,
  RESOURCE_LISTS,
  type ResourceDescriptor,
  type ResourceListName,
  refOf,
} from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import { requestJson } from '../../shared/http/json-client.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { Discovery } from './discovery.js';

type ErrorBody = { errors?: ValidationIssue[]; message?: string };
type BatchBody = { results?: Array<{ resource: string; errors: ValidationIssue[] }> };

interface Check {
  /** Where the resource sits in the descriptor, e.g. `/outputPorts/1`. */
  path: string;
  resource: ResourceDescriptor;
}

/**
 * Asks each resource's microservice to check its `specific` block before the
 * descriptor is accepted, so a bad folder name is a 400 with its line, not a
 * FAILED resource later: one request per microservice for all its resources
 * (`/v1/dataproduct/resources/validate`), or one per resource for a
 * microservice without that route (404). A microservice that cannot be asked
 * is skipped: it still checks the request when the resource is dispatched.
 */
export class SpecificChecks {
  constructor(
    private readonly discovery: Discovery,
    private readonly logger: Logger,
    private readonly token?: string,
  ) {}

  async issuesOf(descriptor: DataProductDescriptor): Promise<ValidationIssue[]> {
    const byUrl = new Map<string, Check[]>();
    for (const list of Object.keys(RESOURCE_LISTS) as ResourceListName[]) {
      for (const [index, resource] of descriptor[list].entries()) {
        const endpoint = this.discovery.endpointFor(
          descriptor.environment.name,
          resource.technology,
          resource.kind,
        );
        if (!endpoint) continue;
        byUrl.set(endpoint.url, [
          ...(byUrl.get(endpoint.url) ?? []),
          { path: `/${list}/${index}`, resource },
        ]);
      }
    }
    const results = await Promise.all(
      [...byUrl].map(async ([url, checks]) => {
        try {
          return await this.checkTogether(url, descriptor, checks);
        } catch (error) {
          this.logger.warn({ err: error, url }, 'could not ask the microservice to check its resources');
          return [];
        }
      }),
    );
    return results.flat();
  }

  private async checkTogether(
    url: string,
    descriptor: DataProductDescriptor,
    checks: Check[],
  ): Promise<ValidationIssue[]> {
    const response = await requestJson<BatchBody & ErrorBody>(
      'POST',
      `${url}/v1/dataproduct/resources/validate`,
      { dataProduct: refOf(descriptor), descriptor, resources: checks.map((check) => check.resource) },
      this.requestOptions(),
    );
    if (response.status === 404) {
      const single = await Promise.all(checks.map((check) => this.checkAlone(url, descriptor, check)));
      return single.flat();
    }
    if (response.status !== 200) {
      this.logger.warn({ url, status: response.status }, 'the microservice did not check its resources');
      return [];
    }
    const pathOf = new Map(checks.map((check) => [check.resource.name, check.path]));
    return (response.body.results ?? []).flatMap(({ resource, errors }) => {
      const path = pathOf.get(resource);
      return path ? locate(errors, path) : [];
    });
  }

  /** The per-resource check every microservice of the thesis' contract answers. */
  private async checkAlone(
    url: string,
    descriptor: DataProductDescriptor,
    { path, resource }: Check,
  ): Promise<ValidationIssue[]> {
    const request: ResourceRequest = {
      operationId: 'validation',
      dataProduct: refOf(descriptor),
      descriptor,
      resource,
      removeData: false,
      attempt: 1,
    };
    const response = await requestJson<ErrorBody>(
      'POST',
      `${url}/v1/dataproduct/resource/validate`,
      request,
      this.requestOptions(),
    );
    return response.status === 400 ? locate(response.body.errors ?? [], path) : [];
  }

  private requestOptions() {
    return {
      timeoutMs: 5_000,
      ...(this.token ? { headers: { authorization: `Bearer ${this.token}` } } : {}),
    };
  }
}

/** A microservice's `/resource/…` paths, as paths of the resource in the descriptor. */
function locate(issues: readonly ValidationIssue[], path: string): ValidationIssue[] {
  return issues.map((issue) => ({
    ...issue,
    path: issue.path.startsWith('/resource') ? `${path}${issue.path.slice('/resource'.length)}` : path,
  }));
}
