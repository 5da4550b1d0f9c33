import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Discovery } from '../../provisioner/discovery/discovery.js';
import { SpecificChecks } from '../../provisioner/discovery/specific-checks.js';
import type { DataProductDescriptor, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { silentLogger } from '../support/silent-logger.js';

const BAD_FOLDER = { path: '/resource/specific/folder', message: 'the folder name is invalid' };

async function bodyOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A microservice that finds every resource named `bad*` invalid, answering the
 * batch check or, when `batch` is false (a microservice of the thesis'
 * contract alone), 404 there and the single check per resource.
 */
async function fakeMicroservice(batch: boolean) {
  const requests: string[] = [];
  const server = createServer(async (request, response) => {
    requests.push(request.url ?? '');
    const body = await bodyOf(request);
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (request.url === '/v1/dataproduct/resources/validate' && batch) {
      const resources = body.resources as ResourceDescriptor[];
      reply(200, {
        results: resources.map(({ name }) => ({
          resource: name,
          errors: name.startsWith('bad') ? [BAD_FOLDER] : [],
        })),
      });
    } else if (request.url === '/v1/dataproduct/resource/validate') {
      const { name } = body.resource as ResourceDescriptor;
      if (name.startsWith('bad'))
        reply(400, { error: 'ValidationError', message: 'invalid', errors: [BAD_FOLDER] });
      else reply(200, { valid: true });
    } else {
      reply(404, { error: 'NotFound', message: 'no route' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function port(name: string, technology: string): ResourceDescriptor {
  return {
    kind: 'outputPort',
    name,
    type: 'files',
    technology,
    owner: 'owner',
    allow: [],
    dependsOn: [],
    specific: { folder: name },
  };
}

function descriptorOf(outputPorts: ResourceDescriptor[]): DataProductDescriptor {
  return {
    name: 'orders',
    domain: 'sales',
    version: '1.0.0',
    environment: { name: 'test', specific: {} },
    outputPorts,
    workloads: [],
    observability: [],
  } as unknown as DataProductDescriptor;
}

function checksFor(technologies: Record<string, string>): SpecificChecks {
  const entries = Object.fromEntries(Object.entries(technologies).map(([name, url]) => [name, { url }]));
  const discovery = new Discovery({ environments: { test: { technologies: entries } } }, 1_000);
  return new SpecificChecks(discovery, silentLogger);
}

describe('SpecificChecks', () => {
  it('asks each microservice once for all its resources and places each problem at its resource', async () => {
    const first = await fakeMicroservice(true);
    const second = await fakeMicroservice(true);
    const checks = checksFor({ one: first.url, two: second.url });
    const descriptor = descriptorOf([
      port('good', 'one'),
      port('bad-a', 'one'),
      port('other', 'two'),
      port('bad-b', 'two'),
      port('bad-c', 'one'),
    ]);

    const issues = await checks.issuesOf(descriptor);

    expect(first.requests).toEqual(['/v1/dataproduct/resources/validate']);
    expect(second.requests).toEqual(['/v1/dataproduct/resources/validate']);
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      '/outputPorts/1/specific/folder',
      '/outputPorts/3/specific/folder',
      '/outputPorts/4/specific/folder',
    ]);
  });

  it('checks resource by resource at a microservice without the batch route, with the same result', async () => {
    const older = await fakeMicroservice(false);
    const checks = checksFor({ one: older.url });
    const descriptor = descriptorOf([port('good', 'one'), port('bad-a', 'one'), port('fine', 'one')]);

    const issues = await checks.issuesOf(descriptor);

    expect(older.requests.sort()).toEqual([
      '/v1/dataproduct/resource/validate',
      '/v1/dataproduct/resource/validate',
      '/v1/dataproduct/resource/validate',
      '/v1/dataproduct/resources/validate',
    ]);
    expect(issues).toEqual([{ ...BAD_FOLDER, path: '/outputPorts/1/specific/folder' }]);
  });
});
