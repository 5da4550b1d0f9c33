import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient } from '../../shared/aws/clients.js';
import { ensureTable } from '../../shared/aws/ensure-table.js';

/**
 * A table answers only once ACTIVE; on AWS that takes seconds. dynalite here
 * takes 300 ms to create one (and 300 ms for an index), as AWS would take
 * longer: without waiting, the first write after ensureTable fails with
 * ResourceNotFoundException.
 */
let server: Server;
let client: ReturnType<typeof createDynamoDocumentClient>;
beforeAll(async () => {
  server = dynalite({ createTableMs: 300, updateTableMs: 300 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createDynamoDocumentClient({
    dynamoDbEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

describe('ensureTable', () => {
  it('returns once the new table (and its index) can be written', async () => {
    await ensureTable(
      client,
      'slow-table',
      [{ name: 'id', keyType: 'HASH' }],
      [{ indexName: 'by-state', keys: [{ name: 'state', keyType: 'HASH' }] }],
    );
    await expect(
      client.send(new PutCommand({ TableName: 'slow-table', Item: { id: 'a', state: 'x' } })),
    ).resolves.toBeDefined();
  });

  it('waits for a table another process is still creating', async () => {
    const first = ensureTable(client, 'shared-table', [{ name: 'id', keyType: 'HASH' }]);
    const second = ensureTable(client, 'shared-table', [{ name: 'id', keyType: 'HASH' }]);
    await second;
    await expect(
      client.send(new PutCommand({ TableName: 'shared-table', Item: { id: 'b' } })),
    ).resolves.toBeDefined();
    await first;
  });
});
