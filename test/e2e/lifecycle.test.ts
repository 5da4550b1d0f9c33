import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import type { HistoryEntry } from '../../shared/state/records.js';
import { replayHistory } from '../../shared/state/replay-history.js';
import { descriptorYaml, statePath } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

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

const post = (path: string, yaml: string) =>
  api.post(path).set('Content-Type', 'application/yaml').send(yaml);
const settled = (name: string) =>
  waitFor(
    async () => (await api.get(statePath(name))).body as PublicDataProductState,
    (body) => SETTLED.includes(body.state),
  );

describe('POST /v1/dataproduct/plan', () => {
  it('shows create, update with the ACL diff, delete, noop and blocked, and a deploy performs exactly that', async () => {
    const first = descriptorYaml('planned', [
      { name: 'same' },
      { name: 'acl', allow: ['reader', 'leaver'] },
      { name: 'dropped' },
      { name: 'moved', specific: { location: 'here' } },
    ]);
    expect((await post('/v1/dataproduct', first)).status).toBe(202);
    expect(await settled('planned')).toMatchObject({ state: 'CREATED' });

    const second = descriptorYaml('planned', [
      { name: 'same' },
      { name: 'acl', allow: ['reader', 'joiner'] },
      { name: 'fresh', dependsOn: ['same'] },
    ]);
    const plan = await post('/v1/dataproduct/plan', second);
    expect(plan.status).toBe(200);
    expect(plan.body.transit).toBe('UPDATING');
    const byName = Object.fromEntries(plan.body.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.same.action).toBe('noop');
    expect(byName.acl).toMatchObject({
      action: 'update',
      acl: { granted: [{ role: 'joiner', access: 'read-only' }], revoked: ['leaver'] },
    });
    expect(byName.fresh.action).toBe('create');
    expect(byName.dropped.action).toBe('delete');
    expect(byName.moved.action).toBe('delete');
    expect(plan.body.waves).toEqual([['acl', 'dropped', 'fresh', 'moved']]);
    expect((await api.get(statePath('planned'))).body.state).toBe('CREATED');
    expect(platform.gated.calls).toHaveLength(4);

    platform.gated.calls.length = 0;
    expect((await post('/v1/dataproduct', second)).status).toBe(202);
    expect((await settled('planned')).state).toBe('CREATED');
    const performed = platform.gated.calls.map((call) => `${call.method} ${call.resource}`).sort();
    expect(performed).toEqual(['DELETE dropped', 'DELETE moved', 'POST fresh', 'PUT acl']);
  });

  it('shows an immutable change as blocked, and the deploy refuses it with 400', async () => {
    const yaml = descriptorYaml('immutable', [
      { name: 'a', specific: { location: 'here' } },
      { name: 'b', dependsOn: ['a'] },
    ]);
    await post('/v1/dataproduct', yaml);
    expect((await settled('immutable')).state).toBe('CREATED');
    const changed = descriptorYaml('immutable', [
      { name: 'a', specific: { location: 'there' } },
      { name: 'b', dependsOn: ['a'], allow: ['other'] },
    ]);
    const plan = await post('/v1/dataproduct/plan', changed);
    expect(plan.body.resources.map((r: { action: string }) => r.action)).toEqual(['blocked', 'blocked']);
    expect(plan.body.resources[0].reason).toMatch(/location cannot change.*new name.*new version/);
    expect(plan.body.resources[1].reason).toBe('waits for a, which is blocked');

    const deploy = await post('/v1/dataproduct', changed);
    expect(deploy.status).toBe(400);
    expect(deploy.body.errors).toEqual([
      expect.objectContaining({ path: '/outputPorts/0/specific/location', line: expect.any(Number) }),
    ]);
    expect(platform.gated.calls.map((call) => call.method)).toEqual(['POST', 'POST']);
  });

  it('shows everything blocked while the data product is in transit', async () => {
    platform.gated.close();
    const yaml = descriptorYaml('busy-plan', [{ name: 'a' }]);
    await post('/v1/dataproduct', yaml);
    const plan = await post('/v1/dataproduct/plan', yaml);
    expect(plan.body.resources[0]).toMatchObject({
      action: 'blocked',
      reason: expect.stringMatching(/CREATING under operation/),
    });
    platform.gated.release();
    await settled('busy-plan');
  });
});

describe('cancel and recovery', () => {
  it('stops dispatching on cancel, names what was not attempted, and a new POST continues', async () => {
    platform.gated.hold('second');
    const yaml = descriptorYaml('cancelled', [
      { name: 'first' },
      { name: 'second', dependsOn: ['first'] },
      { name: 'third', dependsOn: ['second'] },
    ]);
    await post('/v1/dataproduct', yaml);
    await waitFor(
      async () => platform.gated.callsOf('second').length,
      (count) => count === 1,
    );
    const cancel = await api.post('/v1/dataproduct/test/sales/cancelled/1.0.0/cancel');
    expect(cancel.status).toBe(202);
    expect(cancel.body).toMatchObject({ state: 'CREATING', cancelRequested: true });
    platform.gated.release('second');

    const state = await settled('cancelled');
    expect(state.state).toBe('NOT_COMPLETED');
    expect(state.rootCauses).toEqual([
      { resource: 'third', error: 'not attempted: the operation was cancelled' },
    ]);
    expect(state.resources.map((resource) => resource.state)).toEqual(['CREATED', 'CREATED', 'NONE']);
    expect(platform.gated.callsOf('third')).toEqual([]);

    expect((await post('/v1/dataproduct', yaml)).status).toBe(202);
    expect((await settled('cancelled')).state).toBe('CREATED');
    expect(platform.gated.calls.map((call) => `${call.method} ${call.resource}`)).toEqual([
      'POST first',
      'POST second',
      'POST third',
    ]);
  });

  it('refuses to cancel a data product that runs nothing', async () => {
    await post('/v1/dataproduct', descriptorYaml('idle', [{ name: 'a' }]));
    await settled('idle');
    const cancel = await api.post('/v1/dataproduct/test/sales/idle/1.0.0/cancel');
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toMatch(/no running operation/);
    expect((await api.post('/v1/dataproduct/test/sales/nobody/1.0.0/cancel')).status).toBe(404);
  });

  it('lists each FAILED resource with its own error and each blocked one with its blocker', async () => {
    const yaml = descriptorYaml('causes', [
      { name: 'broken', specific: { fail: true } },
      { name: 'after', dependsOn: ['broken'] },
      { name: 'fine' },
    ]);
    await post('/v1/dataproduct', yaml);
    const state = await settled('causes');
    expect(state.state).toBe('NOT_COMPLETED');
    expect(state.rootCauses).toEqual([
      { resource: 'broken', error: 'broken failed on purpose' },
      { resource: 'after', blockedBy: 'broken' },
    ]);
    expect(state.resources.find((resource) => resource.name === 'after')?.blockedBy).toBe('broken');
  });
});

describe('dependencies', () => {
  it('hands each resource the kind, technology and info of what it depends on, also when that is unchanged', async () => {
    const folder = {
      name: 'folder',
      technology: 's3cdp',
      specific: { bucket: 'ms-datamesh-s3', directory: 'deps/folder' },
    };
    const first = descriptorYaml('deps', [folder, { name: 'job', dependsOn: ['folder'] }]);
    expect((await post('/v1/dataproduct', first)).status).toBe(202);
    expect(await settled('deps')).toMatchObject({ state: 'CREATED' });
    const folderInfo = {
      kind: 'outputPort',
      technology: 's3cdp',
      info: { uri: 's3://ms-datamesh-s3/test/sales/deps/folder/' },
    };
    expect(platform.gated.callsOf('job')[0]?.dependencies).toEqual({
      folder: { ...folderInfo, info: expect.objectContaining(folderInfo.info) },
    });

    const second = descriptorYaml('deps', [
      folder,
      { name: 'job', dependsOn: ['folder'] },
      { name: 'late', dependsOn: ['folder', 'job'] },
    ]);
    expect((await post('/v1/dataproduct', second)).status).toBe(202);
    expect(await settled('deps')).toMatchObject({ state: 'CREATED' });
    expect(platform.gated.callsOf('late')[0]?.dependencies).toEqual({
      folder: { ...folderInfo, info: expect.objectContaining(folderInfo.info) },
      job: { kind: 'outputPort', technology: 'gated', info: { handledBy: 'gated', resource: 'job' } },
    });
  });
});

describe('history', () => {
  async function fullHistory(name: string): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    let after = 0;
    for (;;) {
      const page = await api.get(`/v1/dataproduct/history/test/sales/${name}/1.0.0?after=${after}&limit=3`);
      expect(page.status).toBe(200);
      entries.push(...page.body.entries);
      if (page.body.next === undefined) return entries;
      after = page.body.next;
    }
  }

  it('records every transition, and replaying it reproduces the current state exactly', async () => {
    const name = 'replayed';
    await post('/v1/dataproduct', descriptorYaml(name, [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }]));
    await settled(name);
    await post(
      '/v1/dataproduct',
      descriptorYaml(name, [
        { name: 'a', allow: ['x'] },
        { name: 'b', dependsOn: ['a'], specific: { fail: true } },
      ]),
    );
    expect((await settled(name)).state).toBe('NOT_COMPLETED');
    await post(
      '/v1/dataproduct',
      descriptorYaml(name, [
        { name: 'a', allow: ['x'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    );
    expect((await settled(name)).state).toBe('CREATED');
    await api.delete(`/v1/dataproduct/test/sales/${name}/1.0.0`);
    expect((await settled(name)).state).toBe('DELETED');

    const entries = await fullHistory(name);
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
    const dataProductMoves = entries
      .filter((entry) => entry.resource === null)
      .map((entry) => `${entry.from}→${entry.to}`);
    expect(dataProductMoves).toEqual([
      'NONE→CREATING',
      'CREATING→CREATED',
      'CREATED→UPDATING',
      'UPDATING→NOT_COMPLETED',
      'NOT_COMPLETED→CREATING',
      'CREATING→CREATED',
      'CREATED→DELETING',
      'DELETING→DELETED',
    ]);
    const failure = entries.find((entry) => entry.resource === 'b' && entry.to === 'FAILED');
    expect(failure).toMatchObject({ error: 'b failed on purpose', actor: 'microservice:gated' });
    expect(entries[0]?.actor).toBe('admin:admin');
    expect(entries.find((entry) => entry.to === 'CREATED' && entry.resource === null)?.actor).toBe(
      'provisioner:test-provisioner',
    );

    const replayed = replayHistory(entries);
    const current = await platform.state.getDataProduct({
      environment: 'test',
      domain: 'sales',
      name,
      version: '1.0.0',
    });
    const { revision: _r, seq: _s, ...replayedDataProduct } = replayed.dataProduct ?? ({} as never);
    const { resources, lease: _lease, historySeq, ...currentDataProduct } = current ?? ({} as never);
    expect(replayedDataProduct).toEqual(currentDataProduct);
    expect(historySeq).toBe(entries.at(-1)?.seq);
    for (const resource of resources) {
      const {
        revision: _rr,
        seq: _rs,
        dataProduct: _d,
        ...replayedResource
      } = replayed.resources.get(resource.name) ?? ({} as never);
      const { heartbeatAt: _h, ...currentResource } = resource;
      expect(replayedResource).toEqual(currentResource);
    }
    expect(replayed.resources.size).toBe(resources.length);
  });

  it('answers 404 for the history of an unknown data product', async () => {
    expect((await api.get('/v1/dataproduct/history/test/sales/never/1.0.0')).status).toBe(404);
  });

  it('checks the paging query once, as documented: every problem in one 400, integers as integers', async () => {
    const both = await api.get('/v1/dataproduct/history/test/sales/never/1.0.0?after=-1&limit=0');
    expect(both.status).toBe(400);
    expect((both.body.errors as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      '/query/after',
      '/query/limit',
    ]);
    // 1e2 is the integer 100 to the document; no second check of the route's own refuses it.
    await post('/v1/dataproduct', descriptorYaml('paged', [{ name: 'a' }]));
    await settled('paged');
    const page = await api.get('/v1/dataproduct/history/test/sales/paged/1.0.0?after=0&limit=1e0');
    expect(page.status).toBe(200);
    expect(page.body.entries).toHaveLength(1);
    const listed = await api.get('/v1/dataproduct?limit=05');
    expect(listed.status).toBe(200);
  });
});

describe('GET /v1/dataproduct', () => {
  it('lists data products with their states, filtered and paginated', async () => {
    await post('/v1/dataproduct', descriptorYaml('listed-one', [{ name: 'a' }]));
    await post('/v1/dataproduct', descriptorYaml('listed-two', [{ name: 'a' }]));
    await settled('listed-one');
    await settled('listed-two');
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api
        .get('/v1/dataproduct')
        .query({ domain: 'sales', state: 'CREATED', limit: 1, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      names.push(
        ...page.body.items.map((item: { name: string; state: string }) => {
          expect(item.state).toBe('CREATED');
          return item.name;
        }),
      );
      cursor = page.body.cursor;
    } while (cursor);
    expect(names).toEqual(expect.arrayContaining(['listed-one', 'listed-two']));
    expect((await api.get('/v1/dataproduct').query({ state: 'WRONG' })).status).toBe(400);
  });
});
