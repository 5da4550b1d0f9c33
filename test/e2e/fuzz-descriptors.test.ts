import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * Thousands of mutated descriptors against the real provisioner: never a 5xx,
 * never a crash, and no state for any descriptor that was refused.
 */
const RUNS = 3_000;

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
});
afterAll(async () => {
  await platform?.close();
});

const base = () => ({
  name: 'fuzzed',
  domain: 'sales',
  version: '1.0.0',
  environment: { name: 'test', specific: {} },
  outputPorts: [
    {
      name: 'folder',
      resourceType: 'raw',
      technology: 's3',
      description: 'a folder',
      owner: 'sales-owner',
      allow: ['sales-reader'],
      dependsOn: [],
      specific: { bucket: 'ms-datamesh-s3', directory: 'fuzz/folder' },
    },
    {
      name: 'job',
      type: 'raw',
      technology: 'gated',
      owner: 'sales-owner',
      allow: [],
      dependsOn: ['folder'],
      specific: {},
    },
  ],
  workloads: [],
  observability: [],
});

const nasty = fc.constantFrom(
  '',
  '*',
  '..',
  '../..',
  '/etc/passwd',
  'arn:aws:iam::1:role/x',
  'a\nb',
  'a\u0000b',
  '__proto__',
  'constructor',
  '😀',
  ' ',
  'x'.repeat(300),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a governance template, sent as data on purpose
  '${domain}',
  '%2e%2e',
  'a?b',
);
const value = fc.oneof(
  nasty,
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 2 }),
);

type Json = Record<string, unknown> | unknown[];
type Mutation = { path: number[]; kind: 'set' | 'delete' | 'add'; value: unknown; key: string };

const mutation = fc.record({
  path: fc.array(fc.nat({ max: 20 }), { minLength: 0, maxLength: 4 }),
  kind: fc.constantFrom('set', 'delete', 'add'),
  value,
  key: fc.oneof(
    nasty,
    fc.constantFrom('name', 'dependsOn', 'specific', 'outputports', 'resourceType', 'extra'),
  ),
}) as fc.Arbitrary<Mutation>;

/** Walks to a container chosen by indices into its keys, then changes it. */
function mutate(root: Json, { path, kind, value: generated, key }: Mutation): void {
  // fast-check shares generated values between mutations: copy, so no mutation can build a cycle.
  const value = structuredClone(generated);
  let container: Json = root;
  for (const step of path) {
    const keys = Object.keys(container);
    if (keys.length === 0) break;
    const next = (container as Record<string, unknown>)[keys[step % keys.length] as string];
    if (next === null || typeof next !== 'object') break;
    container = next as Json;
  }
  const keys = Object.keys(container);
  const target = keys.length > 0 ? (keys[(path.at(-1) ?? 0) % keys.length] as string) : key;
  if (kind === 'delete') {
    if (Array.isArray(container)) container.splice(Number(target), 1);
    else delete container[target];
  } else if (kind === 'add' && !Array.isArray(container)) {
    Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  } else if (Array.isArray(container)) {
    container[Number(target)] = value;
  } else {
    container[target] = value;
  }
}

describe('fuzzing the descriptor endpoint', () => {
  it(`never answers 5xx and never writes state for a refused descriptor (${RUNS} runs)`, async () => {
    const accepted = new Set<string>();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (mutations, asJson) => {
          const descriptor = base();
          for (const change of mutations) mutate(descriptor as unknown as Json, change);
          let body: string;
          try {
            body = asJson ? JSON.stringify(descriptor) : dump(descriptor);
          } catch {
            body = JSON.stringify(descriptor);
          }
          const response = await platform.api
            .post('/v1/dataproduct')
            .set('Content-Type', asJson ? 'application/json' : 'application/yaml')
            .send(body);
          expect(response.status).toBeLessThan(500);
          expect(response.body.error === undefined || typeof response.body.message === 'string').toBe(true);
          if (response.status === 202 || response.status === 409 || response.status === 200) {
            const { environment, domain, name, version } =
              response.status === 409 ? descriptorRef(descriptor) : response.body;
            accepted.add([environment, domain, name, version].join('#'));
          } else {
            refused += 1;
          }
        },
      ),
      { numRuns: RUNS, seed: 20261125, endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(RUNS / 2);
    const { Items = [] } = await platform.stack.dynamo.send(
      new ScanCommand({
        TableName: 'dmp-dataproduct-state',
        ProjectionExpression: 'id, #state',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    const stored = Items.filter((item) => item.state !== undefined).map((item) => item.id as string);
    for (const id of stored) expect(accepted).toContain(id);
    expect((await platform.api.get('/healthz')).status).toBe(200);
  }, 300_000);
});

function descriptorRef(descriptor: Record<string, unknown>) {
  const environment = (descriptor.environment as { name?: unknown } | undefined)?.name;
  return { environment, domain: descriptor.domain, name: descriptor.name, version: descriptor.version };
}
