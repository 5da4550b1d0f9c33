import { readFileSync } from 'node:fs';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { descriptorYaml, statePath } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { GatedProvisioner } from '../support/gated-provisioner.js';
import { silentLogger } from '../support/silent-logger.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

const thesisExample = readFileSync(new URL('../fixtures/thesis-example.yaml', import.meta.url), 'utf8');
const SETTLED = ['CREATED', 'DELETED', 'NOT_COMPLETED', 'FAILED'];

let platform: TestPlatform;
let api: TestPlatform['api'];

beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
  api = platform.api;
});

afterAll(async () => {
  await platform?.close();
});

beforeEach(() => {
  platform.gated.release();
  platform.gated.calls.length = 0;
});

const postYaml = (yaml: string) =>
  api.post('/v1/dataproduct').set('Content-Type', 'application/yaml').send(yaml);

async function settledState(path: string): Promise<PublicDataProductState> {
  return waitFor(
    async () => (await api.get(path)).body as PublicDataProductState,
    (body) => SETTLED.includes(body.state),
  );
}

function resourceOf(state: PublicDataProductState, name: string) {
  const resource = state.resources.find((candidate) => candidate.name === name);
  if (!resource) throw new Error(`no resource ${name} in ${JSON.stringify(state)}`);
  return resource;
}

async function itemCount(table: string): Promise<number> {
  const { Items = [] } = await platform.stack.dynamo.send(
    new ScanCommand({
      TableName: table,
      ConsistentRead: true,
      FilterExpression: 'attribute_exists(#state)',
      ExpressionAttributeNames: { '#state': 'state' },
    }),
  );
  return Items.length;
}

describe('provisioning the thesis example end to end', () => {
  const path = '/v1/dataproduct/state/test/test_domain/test_name/1.0.1';

  it('creates the S3 folder, records every state in DynamoDB, and deletes it again', async () => {
    const accepted = await postYaml(thesisExample);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      environment: 'test',
      domain: 'test_domain',
      name: 'test_name',
      state: 'CREATING',
    });
    expect(accepted.body.operationId).toEqual(expect.any(String));
    expect(accepted.headers.location).toBe(path);

    const created = await settledState(path);
    expect(created.state).toBe('CREATED');
    expect(resourceOf(created, 'test_s3')).toMatchObject({
      kind: 'outputPort',
      technology: 's3cdp',
      state: 'CREATED',
      lastError: null,
      // `directory: test_dir/full` lies in the domain's space, test/test_domain/.
      info: { uri: 's3://ms-datamesh-s3/test/test_domain/test_dir/full/' },
    });
    const marker = await platform.stack.s3.send(
      new HeadObjectCommand({ Bucket: 'ms-datamesh-s3', Key: 'test/test_domain/test_dir/full/' }),
    );
    expect(marker.ContentLength).toBe(0);
    expect(await itemCount('dmp-dataproduct-state')).toBeGreaterThanOrEqual(1);
    expect(await itemCount('dmp-resource-state')).toBeGreaterThanOrEqual(1);

    const deletion = await api.delete('/v1/dataproduct/test/test_domain/test_name/1.0.1');
    expect(deletion.status).toBe(202);
    expect(deletion.body.state).toBe('DELETING');
    const deleted = await settledState(path);
    expect(deleted.state).toBe('DELETED');
    expect(resourceOf(deleted, 'test_s3').state).toBe('DELETED');
    await expect(
      platform.stack.s3.send(
        new HeadObjectCommand({ Bucket: 'ms-datamesh-s3', Key: 'test/test_domain/test_dir/full/' }),
      ),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('answers 404 for the state and the deletion of an unknown data product', async () => {
    expect((await api.get('/v1/dataproduct/state/test/nobody/nothing/1.0.0')).status).toBe(404);
    const deletion = await api.delete('/v1/dataproduct/test/nobody/nothing/1.0.0');
    expect(deletion.status).toBe(404);
    expect(deletion.body.error).toBe('NotFound');
  });
});

describe('dependency order', () => {
  it('creates a chain a ← b ← c in order and deletes it in reverse', async () => {
    const yaml = descriptorYaml('chain', [
      { name: 'c', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['a'] },
      { name: 'a' },
    ]);
    expect((await postYaml(yaml)).status).toBe(202);
    const created = await settledState(statePath('chain'));
    expect(created.state).toBe('CREATED');
    const createdAt = (name: string) => Date.parse(resourceOf(created, name).updatedAt ?? '');
    expect(createdAt('a')).toBeLessThan(createdAt('b'));
    expect(createdAt('b')).toBeLessThan(createdAt('c'));
    const started = (name: string, method: string) =>
      platform.gated.calls.find((call) => call.resource === name && call.method === method)?.startedAt ??
      Number.NaN;
    expect(started('b', 'POST')).toBeGreaterThanOrEqual(createdAt('a'));
    expect(started('c', 'POST')).toBeGreaterThanOrEqual(createdAt('b'));

    const deletion = await api.delete('/v1/dataproduct').set('Content-Type', 'application/yaml').send(yaml);
    expect(deletion.status).toBe(202);
    const deleted = await settledState(statePath('chain'));
    expect(deleted.state).toBe('DELETED');
    const deletedAt = (name: string) => Date.parse(resourceOf(deleted, name).updatedAt ?? '');
    expect(deletedAt('c')).toBeLessThan(deletedAt('b'));
    expect(deletedAt('b')).toBeLessThan(deletedAt('a'));
    expect(
      platform.gated.calls.filter((call) => call.method === 'DELETE').map((call) => call.resource),
    ).toEqual(['c', 'b', 'a']);
  });

  it('starts independent resources together and a dependent only once all it needs is CREATED', async () => {
    platform.gated.close();
    const yaml = descriptorYaml('diamond', [
      { name: 'root' },
      { name: 'left', dependsOn: ['root'] },
      { name: 'right', dependsOn: ['root'] },
      { name: 'join', dependsOn: ['left', 'right'] },
    ]);
    expect((await postYaml(yaml)).status).toBe(202);
    await waitFor(
      async () => platform.gated.calls.length,
      (count) => count === 1,
    );
    // While root's work is held, several polls pass and nothing else may start.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(platform.gated.calls.map((call) => call.resource)).toEqual(['root']);

    // left and right are held once started: both must be started while neither is done (instant work would
    // otherwise let one finish before the other's start was even recorded, and the order prove nothing).
    platform.gated.release();
    platform.gated.hold('left', 'right');
    await waitFor(
      async () => platform.gated.calls.length,
      (count) => count === 3,
    );
    expect(platform.gated.calls.map((call) => call.resource).sort()).toEqual(['left', 'right', 'root']);
    platform.gated.release();
    const created = await settledState(statePath('diamond'));
    expect(created.state).toBe('CREATED');
    const call = (name: string) => platform.gated.calls.find((candidate) => candidate.resource === name);
    const createdAt = (name: string) => Date.parse(resourceOf(created, name).updatedAt ?? '');
    expect(call('left')?.startedAt).toBeLessThan(createdAt('right'));
    expect(call('right')?.startedAt).toBeLessThan(createdAt('left'));
    expect(call('join')?.startedAt).toBeGreaterThanOrEqual(Math.max(createdAt('left'), createdAt('right')));
  });
});

describe('following an operation', () => {
  it('holds a GET state with changedAfter until the data product moves past it, then answers the move', async () => {
    platform.gated.hold('slow');
    expect((await postYaml(descriptorYaml('watched', [{ name: 'slow' }]))).status).toBe(202);
    const creating = await waitFor(
      async () => (await api.get(statePath('watched'))).body as PublicDataProductState,
      (body) => body.resources[0]?.state === 'CREATING',
    );
    expect(creating.historySeq).toBeGreaterThan(0);

    // Nothing moves while the work is held: the long-poll answers after waitMs, unchanged.
    const held = await api.get(`${statePath('watched')}?changedAfter=${creating.historySeq}&waitMs=300`);
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ state: 'CREATING', historySeq: creating.historySeq });

    let answeredAt = 0;
    const watching = api
      .get(`${statePath('watched')}?changedAfter=${creating.historySeq}&waitMs=20000`)
      .then((response) => {
        answeredAt = Date.now();
        return response;
      });
    const releasedAt = Date.now();
    platform.gated.release();
    const moved = await watching;
    expect(moved.status).toBe(200);
    // It shows the release's outcome, so it answered after the move, not before it ...
    expect(moved.body.historySeq).toBeGreaterThan(creating.historySeq);
    expect(moved.body.resources[0].state).toBe('CREATED');
    // ... and because of it, not because its 20 s ran out.
    expect(answeredAt - releasedAt).toBeLessThan(15_000);
  });

  it('refuses a changedAfter or waitMs that is not a whole number in range with 400 naming each', async () => {
    const response = await api.get(`${statePath('watched')}?changedAfter=-1&waitMs=99999999`);
    expect(response.status).toBe(400);
    const paths = (response.body.errors as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['/query/changedAfter', '/query/waitMs']);
  });
});

describe('validation', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed YAML', 'name: [unclosed\ndomain: x', /invalid YAML: .+/],
    ['a missing name', descriptorYaml('x', [{ name: 'a' }]).replace(/^name: x\n/m, ''), /is required/],
    [
      'duplicate resource names',
      descriptorYaml('dup', [{ name: 'a' }, { name: 'a' }]),
      /duplicate resource name "a"/,
    ],
    [
      'an unknown dependsOn',
      descriptorYaml('dep', [{ name: 'a', dependsOn: ['ghost'] }]),
      /"ghost" is not a resource/,
    ],
    [
      'a cycle',
      descriptorYaml('cycle', [
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
      /dependency cycle: a → b → a/,
    ],
    [
      'an unregistered technology',
      descriptorYaml('tech', [{ name: 'a', technology: 'oracle' }]),
      /"oracle" is not registered.*registered: /,
    ],
    ['no resources', descriptorYaml('empty', []), /at least one resource/],
  ];

  it.each(cases)(
    'refuses %s with 400, listing the problem, and writes no state',
    async (_case, yaml, expected) => {
      const before = await itemCount('dmp-dataproduct-state');
      const response = await postYaml(yaml);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('ValidationError');
      expect(response.body.errors.map((issue: { message: string }) => issue.message).join('\n')).toMatch(
        expected,
      );
      expect(await itemCount('dmp-dataproduct-state')).toBe(before);
    },
  );

  it('reports every problem of a descriptor at once, with its path and line', async () => {
    const yaml = [
      'name: bad',
      'domain: sales',
      'version: 1.0',
      'environment:',
      '  name: test',
      'outputPorts:',
      '  - name: a',
      '    type: raw',
      '    technology: oracle',
      '    owner: o',
      '    dependson: [b]',
      '  - name: a',
      '    type: raw',
      '    technology: gated',
      '    owner: o',
    ].join('\n');
    const response = await postYaml(yaml);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/version', line: 3 }),
        expect.objectContaining({ path: '/outputPorts/0/technology', line: 9 }),
        expect.objectContaining({
          path: '/outputPorts/0/dependson',
          line: 11,
          message: expect.stringMatching(/did you mean "dependsOn"/),
        }),
        expect.objectContaining({ path: '/outputPorts/1/name', line: 12 }),
      ]),
    );
  });

  it('accepts JSON with Content-Type application/json and refuses other media types with 415', async () => {
    const json = JSON.stringify({
      name: 'json_dp',
      domain: 'sales',
      version: '1.0.0',
      environment: { name: 'test' },
      outputPorts: [{ name: 'a', type: 'raw', technology: 'gated', owner: 'o' }],
    });
    const accepted = await api.post('/v1/dataproduct').set('Content-Type', 'application/json').send(json);
    expect(accepted.status).toBe(202);
    expect((await settledState(statePath('json_dp'))).state).toBe('CREATED');
    const refused = await api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('a=b');
    expect(refused.status).toBe(415);
  });
});

describe('consistency', () => {
  it('refuses a POST with 409 while the data product is CREATING', async () => {
    platform.gated.close();
    const yaml = descriptorYaml('busy', [{ name: 'a' }]);
    expect((await postYaml(yaml)).status).toBe(202);
    const second = await postYaml(yaml);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: 'Conflict', currentState: 'CREATING' });
    platform.gated.release();
    expect((await settledState(statePath('busy'))).state).toBe('CREATED');
  });

  it('changes nothing when the same descriptor is POSTed again, and updates with PUT when it changed', async () => {
    const yaml = descriptorYaml('again', [{ name: 'a' }]);
    await postYaml(yaml);
    expect((await settledState(statePath('again'))).state).toBe('CREATED');
    const same = await postYaml(yaml);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ state: 'CREATED', changed: false });
    expect(platform.gated.calls.map((call) => call.method)).toEqual(['POST']);

    const changed = await postYaml(
      descriptorYaml('again', [{ name: 'a', allow: ['sales-reader', 'finance-reader'] }]),
    );
    expect(changed.status).toBe(202);
    expect(changed.body.state).toBe('UPDATING');
    expect((await settledState(statePath('again'))).state).toBe('CREATED');
    expect(platform.gated.calls.map((call) => call.method)).toEqual(['POST', 'PUT']);
  });
});

describe('failures', () => {
  it('fails a resource whose microservice stays unreachable until the resource times out, and what depends on it', async () => {
    const yaml = descriptorYaml('unreachable', [
      { name: 'first', technology: 'unreachable' },
      { name: 'second', dependsOn: ['first'] },
    ]);
    expect((await postYaml(yaml)).status).toBe(202);
    const failed = await settledState(statePath('unreachable'));
    expect(failed.state).toBe('NOT_COMPLETED');
    const first = resourceOf(failed, 'first');
    expect(first.state).toBe('FAILED');
    expect(first.lastError).toMatch(/ECONNREFUSED.*still unreachable at the resource's deadline/);
    expect(resourceOf(failed, 'second').state).toBe('NONE');
    expect(failed.lastError).toMatch(/second not attempted: it depends on first/);
    expect(platform.gated.calls).toEqual([]);
  });

  it('waits for a microservice that is down, says so in the state, and goes on once it is started: no re-POST', async () => {
    const yaml = descriptorYaml('flaky', [
      { name: 'first', technology: 'dead' },
      { name: 'second', dependsOn: ['first'] },
    ]);
    expect((await postYaml(yaml)).status).toBe(202);
    const waiting = await waitFor(
      async () => (await api.get(statePath('flaky'))).body as PublicDataProductState,
      (body) => body.lastError !== null,
    );
    expect(waiting.state).toBe('CREATING');
    expect(waiting.lastError).toMatch(/resource first is waiting for the dead microservice: .*ECONNREFUSED/);
    expect(platform.gated.calls).toEqual([]);

    const revived = await startResourceService({
      service: 'dead',
      provisioner: new GatedProvisioner(['dead']),
      stateServiceUrl: platform.stateService.url,
      host: '127.0.0.1',
      port: platform.deadPort,
      logger: silentLogger,
      serviceToken: platform.tokens.deadService,
    });
    try {
      const created = await settledState(statePath('flaky'));
      expect(created.state).toBe('CREATED');
      expect(created.lastError).toBeNull();
      expect(created.resources.map((resource) => resource.state)).toEqual(['CREATED', 'CREATED']);
      const { entries } = await platform.state.history({
        environment: 'test',
        domain: 'sales',
        name: 'flaky',
        version: '1.0.0',
      });
      expect(entries.map((entry) => entry.note).filter(Boolean)).toEqual([
        expect.stringMatching(/^progress: resource first is waiting for the dead microservice/),
        'progress: no longer waiting',
      ]);
    } finally {
      await revived.close();
    }
  });

  it('fails a resource its microservice accepted but never finished once its transit timeout passes', async () => {
    platform.gated.hold('stuck');
    const yaml = descriptorYaml('stuck', [
      { name: 'stuck', technology: 'brief' },
      { name: 'after', dependsOn: ['stuck'] },
    ]);
    expect((await postYaml(yaml)).status).toBe(202);
    const failed = await settledState(statePath('stuck'));
    expect(failed.state).toBe('NOT_COMPLETED');
    expect(resourceOf(failed, 'stuck')).toMatchObject({
      state: 'FAILED',
      lastError: expect.stringMatching(/^timed out: the resource did not reach CREATED within 1 s/),
    });
    expect(resourceOf(failed, 'after').state).toBe('NONE');
    expect(platform.gated.callsOf('stuck')).toHaveLength(1);
    platform.gated.release('stuck');
  });

  it('refuses with 413 a descriptor that fits the body limit but not the state item it is stored in, writing nothing', async () => {
    // 350 KB of specific: under the 1 MB body limit, over the 300 KB a state item keeps of a descriptor.
    const yaml = descriptorYaml('oversized', [{ name: 'a', specific: { padding: 'x'.repeat(350 * 1024) } }]);
    const response = await postYaml(yaml);
    expect(response.status).toBe(413);
    expect(response.body.message).toMatch(
      /bytes once normalised; at most 307200 can be stored with its state/,
    );
    expect((await api.get(statePath('oversized'))).status).toBe(404);
    expect(platform.gated.calls).toEqual([]);
  });

  it('refuses a resource its microservice finds invalid before accepting the descriptor', async () => {
    const yaml = descriptorYaml('refused', [{ name: 'a', specific: { invalid: true } }]);
    const response = await postYaml(yaml);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        path: '/outputPorts/0/specific/invalid',
        message: 'invalid on purpose',
        line: yaml.split('\n').findIndex((line) => line.includes('invalid: true')) + 1,
      },
    ]);
    expect((await api.get(statePath('refused'))).status).toBe(404);
    expect(platform.gated.calls).toEqual([]);
  });

  it('records the error of work that fails asynchronously and does not start its dependents', async () => {
    const yaml = descriptorYaml('broken', [
      { name: 'a', specific: { fail: true } },
      { name: 'b', dependsOn: ['a'] },
    ]);
    await postYaml(yaml);
    const state = await settledState(statePath('broken'));
    expect(state.state).toBe('NOT_COMPLETED');
    expect(resourceOf(state, 'a')).toMatchObject({ state: 'FAILED', lastError: 'a failed on purpose' });
    expect(resourceOf(state, 'b').state).toBe('NONE');
    expect(platform.gated.calls.map((call) => call.resource)).toEqual(['a']);
  });
});
