import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
});
afterAll(async () => {
  await platform?.close();
});

const valid = (overrides: Parameters<typeof descriptorYaml>[1][number] = { name: 'a' }) =>
  descriptorYaml('hostile', [overrides]);
const s3 = (directory: string) =>
  valid({ name: 'a', technology: 's3', specific: { bucket: 'ms-datamesh-s3', directory } });

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level += 1) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  return lines.join('\n');
}

interface HostileCase {
  name: string;
  status: number;
  body?: string | Buffer;
  contentType?: string;
  method?: 'post' | 'get' | 'delete';
  path?: string;
}

const CASES: HostileCase[] = [
  { name: 'a body over the 1 MiB limit', status: 413, body: `name: x\npad: "${'x'.repeat(1024 * 1024)}"` },
  { name: 'a YAML alias bomb', status: 400, body: aliasBomb() },
  { name: 'excessive YAML nesting', status: 400, body: `a: ${'['.repeat(5_000)}${']'.repeat(5_000)}` },
  {
    name: 'excessive JSON nesting',
    status: 400,
    body: `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    contentType: 'application/json',
  },
  {
    name: 'a document expanding past the node budget',
    status: 400,
    body: `items: [${Array(60_000).fill('1').join(',')}]`,
  },
  { name: 'several YAML documents', status: 400, body: `${valid()}\n---\n${valid()}` },
  { name: 'an empty body', status: 400, body: '' },
  { name: 'a YAML scalar instead of a mapping', status: 400, body: '42' },
  { name: 'binary garbage', status: 400, body: Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x80]) },
  {
    name: 'invalid UTF-8',
    status: 400,
    body: Buffer.concat([Buffer.from('name: '), Buffer.from([0xc3, 0x28])]),
  },
  { name: 'malformed JSON', status: 400, body: '{"name": "x",', contentType: 'application/json' },
  { name: 'an HTML content type', status: 415, body: '<html></html>', contentType: 'text/html' },
  {
    name: 'a form content type',
    status: 415,
    body: 'name=x',
    contentType: 'application/x-www-form-urlencoded',
  },
  { name: 'a __proto__ key', status: 400, body: `${valid()}\n__proto__: {admin: true}` },
  {
    name: 'a __proto__ key inside specific',
    status: 400,
    body: valid({ name: 'a', specific: { nested: { __proto__x: 1 } } }).replace('__proto__x', '__proto__'),
  },
  {
    name: 'a constructor key in JSON',
    status: 400,
    body: '{"constructor": {"prototype": {"polluted": true}}}',
    contentType: 'application/json',
  },
  { name: 'a resource name with a wildcard', status: 400, body: valid({ name: 'a*' }) },
  { name: 'a resource name with a query mark', status: 400, body: valid({ name: 'a?b' }) },
  { name: 'a resource name with a newline', status: 400, body: valid({ name: 'a\nb' }) },
  { name: 'a data product named ..', status: 400, body: valid().replace('name: hostile', "name: '..'") },
  { name: 'a wildcard role', status: 400, body: valid({ name: 'a', allow: ['*'] }) },
  {
    name: 'a role that is an ARN',
    status: 400,
    body: valid({ name: 'a', owner: 'arn:aws:iam::123456789012:role/admin' }),
  },
  {
    name: 'a role with a newline',
    status: 400,
    body: valid({ name: 'a', allow: ['reader\n{"Effect":"Allow"}'] }),
  },
  { name: 'an S3 directory escaping with ..', status: 400, body: s3('data/../../other') },
  { name: 'an absolute S3 directory', status: 400, body: s3('/etc') },
  { name: 'an S3 directory with a wildcard', status: 400, body: s3('data/*') },
  { name: 'an S3 directory with a query mark', status: 400, body: s3('data/?x') },
  { name: 'an S3 directory with a newline', status: 400, body: s3('data\nx') },
  { name: 'an S3 directory that is an ARN', status: 400, body: s3('arn:aws:s3:::other/x') },
  {
    name: 'path traversal in a state path',
    status: 400,
    method: 'get',
    path: '/v1/dataproduct/state/test/sales/..%2F..%2Fetc/1.0.0',
  },
  {
    name: 'a control character in a state path',
    status: 400,
    method: 'get',
    path: '/v1/dataproduct/state/test/sales/a%00b/1.0.0',
  },
  {
    name: 'a newline in a delete path',
    status: 400,
    method: 'delete',
    path: '/v1/dataproduct/test/sales/a%0Ab/1.0.0',
  },
  {
    name: 'a bad version in a path',
    status: 400,
    method: 'get',
    path: '/v1/dataproduct/history/test/sales/a/1.0',
  },
  {
    name: 'a bad removeData flag',
    status: 400,
    method: 'delete',
    path: '/v1/dataproduct/test/sales/a/1.0.0?removeData=yes',
  },
  { name: 'an unknown route', status: 404, method: 'get', path: '/v1/../../etc/passwd' },
  {
    name: 'a number DynamoDB cannot store',
    status: 400,
    body: valid({ name: 'a', specific: { size: 1e200 } }),
  },
  {
    name: 'a descriptor too large to store with its state',
    status: 413,
    body: valid({ name: 'a', specific: { blob: 'x'.repeat(400 * 1024) } }),
  },
];

async function dataProductCount(): Promise<number> {
  const { Items = [] } = await platform.stack.dynamo.send(
    new ScanCommand({
      TableName: 'dmp-dataproduct-state',
      ConsistentRead: true,
      // State items only: lease items come and go with running operations.
      FilterExpression: 'attribute_exists(#state)',
      ExpressionAttributeNames: { '#state': 'state' },
    }),
  );
  return Items.length;
}

describe('hostile input', () => {
  it.each(CASES)('answers $name with $status and a JSON error, writing nothing', async (hostile) => {
    const before = await dataProductCount();
    const method = hostile.method ?? 'post';
    let call = request(platform.provisioner.url)
      [method](hostile.path ?? '/v1/dataproduct')
      .set('Authorization', `Bearer ${platform.tokens.admin}`);
    if (method === 'post') call = call.set('Content-Type', hostile.contentType ?? 'application/yaml');
    const response = method === 'post' ? await call.send(hostile.body ?? '') : await call;
    expect(response.status).toBe(hostile.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body.message).toEqual(expect.any(String));
    expect(JSON.stringify(response.body)).not.toMatch(/at .+\.(ts|js):\d+/);
    if (hostile.status === 400) expect(response.body.errors.length).toBeGreaterThan(0);
    expect(await dataProductCount()).toBe(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['the state service', 'state', '/v1/state/dataproduct'],
    ['the provisioner token route', 'provisioner', '/v1/tokens'],
    ['the state service token route', 'state', '/v1/tokens'],
  ] as const)(
    'answers a JSON body nested 2 000 deep to %s with 400, writing nothing',
    async (_name, service, path) => {
      const before = await dataProductCount();
      const url = service === 'state' ? platform.stateService.url : platform.provisioner.url;
      const response = await request(url)
        .post(path)
        .set('Authorization', `Bearer ${platform.tokens.admin}`)
        .set('Content-Type', 'application/json')
        .send(`{"descriptor":${'['.repeat(2_000)}${']'.repeat(2_000)}}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'ValidationError', message: 'The body nests too deeply' });
      expect(await dataProductCount()).toBe(before);
    },
  );

  it('is still serving after all of it', async () => {
    expect((await request(platform.provisioner.url).get('/healthz')).status).toBe(200);
    const response = await platform.api
      .post('/v1/dataproduct/plan')
      .set('Content-Type', 'application/yaml')
      .send(valid());
    expect(response.status).toBe(200);
  });
});
