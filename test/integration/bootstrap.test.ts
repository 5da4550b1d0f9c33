import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootstrapOptions, bootstrap, startCommands } from '../../local/bootstrap.js';
import { DynamoTokenStore } from '../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../shared/auth/token-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';

let stack: TestStack;
let options: BootstrapOptions;
const folder = mkdtempSync(join(tmpdir(), 'dmp-bootstrap-'));

beforeAll(async () => {
  stack = await startTestStack();
  options = {
    dynamoDbEndpoint: stack.dynamoDbEndpoint,
    s3Endpoint: stack.s3Endpoint,
    stateTables: DEFAULT_STATE_TABLES,
    tokenTable: 'bootstrap-tokens',
    buckets: ['fresh-deployment'],
    tokenFile: join(folder, 'tokens.json'),
  };
});
afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
  removeDir(folder);
});

describe('bootstrap of a fresh deployment', () => {
  it('creates the tables, the buckets and a credential per service, kept in a file only its owner reads', async () => {
    const tokens = await bootstrap(options);

    const { TableNames = [] } = await stack.dynamo.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(
      expect.arrayContaining([...Object.values(DEFAULT_STATE_TABLES), 'bootstrap-tokens']),
    );
    await expect(stack.s3.send(new HeadBucketCommand({ Bucket: 'fresh-deployment' }))).resolves.toBeDefined();
    const artifacts = await stack.s3.send(
      new ListObjectsV2Command({ Bucket: 'fresh-deployment', Prefix: 'artifacts/' }),
    );
    expect(artifacts.KeyCount).toBeGreaterThan(0);
    expect(statSync(options.tokenFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(options.tokenFile, 'utf8'))).toEqual(tokens);

    const verifier = new TokenService(new DynamoTokenStore(stack.dynamo, 'bootstrap-tokens'));
    expect(await verifier.verify(tokens.admin)).toMatchObject({ role: 'admin', domains: ['*'] });
    expect(await verifier.verify(tokens.provisioner)).toMatchObject({ role: 'provisioner' });
    expect(await verifier.verify(tokens.s3)).toMatchObject({ role: 'microservice' });
  });

  it('run again, changes nothing: the same tokens, the same tables', async () => {
    const before = JSON.parse(readFileSync(options.tokenFile, 'utf8'));
    expect(await bootstrap(options)).toEqual(before);
  });

  it('prints how to start each service without printing any service token', async () => {
    const tokens = JSON.parse(readFileSync(options.tokenFile, 'utf8')) as Record<string, string>;
    const commands = startCommands(options);
    expect(commands.map((command) => command.split(' ').at(-1))).toEqual([
      'start:state-service',
      'start:s3',
      'start:event-store',
      'start:lambda-server',
      'start:observability',
      'start:workload',
      'start:provisioner',
    ]);
    for (const [name, token] of Object.entries(tokens)) {
      if (name !== 'admin') expect(commands.join('\n')).not.toContain(token);
    }
    expect(commands[1]).toContain(`DMP_DYNAMODB_ENDPOINT=${stack.dynamoDbEndpoint}`);
    expect(commands[1]).toContain(`require(${JSON.stringify(options.tokenFile)}).s3`);
  });
});
