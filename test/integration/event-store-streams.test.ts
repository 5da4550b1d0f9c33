import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendCommand } from '../../microservices/event-store/append-command.js';
import { DynamoEventStreamStore } from '../../microservices/event-store/dynamo-event-stream-store.js';
import { DynamoEventTables } from '../../microservices/event-store/dynamo-event-tables.js';
import type { EventStreamStore } from '../../microservices/event-store/event-stream-store.js';
import { EventStreams } from '../../microservices/event-store/event-streams.js';
import type { PortRecord } from '../../microservices/event-store/port-registry.js';
import { S3EventArchive } from '../../microservices/event-store/s3-event-archive.js';
import { ConflictError, PayloadTooLargeError, UpstreamError } from '../../shared/errors.js';
import { ARCHIVE_BUCKET, bigEnvelope, DATA_PRODUCT, envelope } from '../support/event-store-fixtures.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';

let stack: TestStack;
let store: DynamoEventStreamStore;
let archive: S3EventArchive;
let streams: EventStreams;
let tableCount = 0;

/** A fresh provisioned table per test, so tests never see each other's streams. */
async function freshPort(withArchive = true): Promise<PortRecord> {
  tableCount += 1;
  const tableName = `events-test-${tableCount}`;
  await new DynamoEventTables(stack.dynamo as never).ensureTable(tableName);
  return {
    ...DATA_PRODUCT,
    port: `port${tableCount}`,
    tableName,
    owner: 'sales-owner',
    allow: [],
    updatedAt: 'now',
    ...(withArchive ? { archive: { bucket: ARCHIVE_BUCKET, prefix: `archive/port${tableCount}/v1` } } : {}),
  };
}

const append = (events: unknown[], expectedVersion: AppendCommand['expectedVersion'] = 'any') =>
  ({ expectedVersion, events }) as AppendCommand;

async function rawItems(port: PortRecord, aggregateId: string) {
  const { Items = [] } = await stack.dynamo.send(
    new QueryCommand({
      TableName: port.tableName,
      KeyConditionExpression: 'aggregateId = :a',
      ExpressionAttributeValues: { ':a': aggregateId },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function readAll(port: PortRecord, aggregateId: string) {
  return (await streams.read(port, aggregateId, 1, 1000)).events;
}

async function archived(key: string): Promise<string | undefined> {
  return archive.get(ARCHIVE_BUCKET, key);
}

beforeAll(async () => {
  stack = await startTestStack();
  store = new DynamoEventStreamStore(stack.dynamo);
  archive = new S3EventArchive(stack.s3);
  streams = new EventStreams(store, archive, { maxAttempts: 200 });
});

afterAll(async () => {
  await stack.close();
  removeDir(stack.dataDir);
});

describe('appending with expectedVersion under contention', () => {
  it('lets exactly one of 20 writers expecting the same version win', async () => {
    const port = await freshPort(false);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, writer) =>
        streams.append(port, 'order-1', append([envelope(`w${writer}`)], 'no_stream')),
      ),
    );
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.every((outcome) => outcome.reason instanceof ConflictError)).toBe(true);
    expect(losers.map((outcome) => (outcome.reason as ConflictError).details.currentVersion)).toEqual(
      Array(19).fill(1),
    );
    expect(await readAll(port, 'order-1')).toHaveLength(1);
  });

  it('chains 20 optimistic writers into one gapless stream where no commit overwrites another', async () => {
    const port = await freshPort(false);
    let conflicts = 0;
    const writer = async (index: number) => {
      const events = [envelope(`w${index}-a`), envelope(`w${index}-b`)];
      for (;;) {
        const current = (await streams.read(port, 'order-2', 1, 1000)).events.at(-1)?.sequence ?? 0;
        try {
          return (await streams.append(port, 'order-2', append(events, current))).result;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          conflicts += 1;
        }
      }
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => writer(index)));
    const stream = await readAll(port, 'order-2');
    expect(stream.map((entry) => entry.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const [index, result] of results.entries()) {
      expect(result.lastSequence).toBe(result.firstSequence + 1);
      expect(stream[result.firstSequence - 1]?.event).toEqual(envelope(`w${index}-a`));
      expect(stream[result.lastSequence - 1]?.event).toEqual(envelope(`w${index}-b`));
    }
    expect(conflicts).toBeGreaterThan(0);
    expect((await rawItems(port, 'order-2')).length).toBe(20);
  });

  it('lands every `any` append under contention, each in its own contiguous range', async () => {
    const port = await freshPort(false);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        streams.append(port, 'order-3', append([0, 1, 2].map((n) => envelope(`any-${writer}-${n}`)))),
      ),
    );
    const ranges = results.map(({ result }) => [result.firstSequence, result.lastSequence]);
    const covered = ranges.flatMap(([first = 0, last = 0]) =>
      Array.from({ length: last - first + 1 }, (_, i) => first + i),
    );
    expect(covered.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const stream = await readAll(port, 'order-3');
    for (const [writer, { result }] of results.entries()) {
      expect(stream.slice(result.firstSequence - 1, result.lastSequence).map((entry) => entry.event)).toEqual(
        [0, 1, 2].map((n) => envelope(`any-${writer}-${n}`)),
      );
    }
  });
});

describe('idempotency by metadata.id', () => {
  it('answers a retry with the original result and writes nothing', async () => {
    const port = await freshPort();
    const first = await streams.append(port, 'order-4', append([envelope('i1'), envelope('i2')]));
    const retry = await streams.append(port, 'order-4', append([envelope('i1'), envelope('i2')], 0));
    expect(first.replayed).toBe(false);
    expect(retry).toEqual({ result: first.result, replayed: true });
    expect(await readAll(port, 'order-4')).toHaveLength(2);
    expect(await rawItems(port, 'order-4')).toHaveLength(1);
  });

  it('still recognises the retry after other appends landed on top', async () => {
    const port = await freshPort();
    const first = await streams.append(port, 'order-5', append([envelope('r1')]));
    await streams.append(port, 'order-5', append([envelope('r2')]));
    await streams.append(port, 'order-5', append([envelope('r3')]));
    expect(await streams.append(port, 'order-5', append([envelope('r1')]))).toEqual({
      result: first.result,
      replayed: true,
    });
    expect((await readAll(port, 'order-5')).map((entry) => entry.sequence)).toEqual([1, 2, 3]);
  });

  it('gives concurrent identical requests one commit and the same answer', async () => {
    const port = await freshPort();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => streams.append(port, 'order-6', append([envelope('same')]))),
    );
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.result))).size).toBe(1);
    expect(await readAll(port, 'order-6')).toHaveLength(1);
  });

  describe('after a crash between the commit and its index', () => {
    /** The store of a process that dies right after its commit landed. */
    const crashingOnce = (): EventStreamStore => {
      let crashed = false;
      return Object.assign(Object.create(store) as EventStreamStore, {
        indexCommit: async (...args: Parameters<EventStreamStore['indexCommit']>) => {
          if (!crashed) {
            crashed = true;
            throw new Error('process died');
          }
          return store.indexCommit(...args);
        },
      });
    };

    it('lets the retry return the original result and finish the index and the archive', async () => {
      const port = await freshPort();
      const dying = new EventStreams(crashingOnce(), archive, { maxAttempts: 5 });
      await expect(dying.append(port, 'order-7', append([envelope('c1')]))).rejects.toThrow('process died');
      expect((await rawItems(port, 'order-7'))[0]).toEqual(expect.objectContaining({ pending: true }));
      expect(
        await archived(`${port.archive?.prefix}/events/order-7/${'1'.padStart(20, '0')}.json`),
      ).toBeUndefined();

      const retry = await streams.append(port, 'order-7', append([envelope('c1')]));
      expect(retry.replayed).toBe(true);
      expect(retry.result.events).toEqual([{ id: 'c1', sequence: 1 }]);
      expect((await rawItems(port, 'order-7'))[0]?.pending).toBeUndefined();
      expect(await store.commitsOfIds(port.tableName, 'order-7', ['c1'])).toEqual(new Map([['c1', 1]]));
      expect(await archived(`${port.archive?.prefix}/events/order-7/${'1'.padStart(20, '0')}.json`)).toBe(
        JSON.stringify(envelope('c1')),
      );
    });

    it('completes the dead commit once when the retry finds it at the head', async () => {
      const port = await freshPort();
      const dying = new EventStreams(crashingOnce(), archive, { maxAttempts: 5 });
      await expect(dying.append(port, 'order-7b', append([envelope('c2')]))).rejects.toThrow('process died');
      let completions = 0;
      const counting = Object.assign(Object.create(store) as EventStreamStore, {
        markComplete: async (...args: Parameters<EventStreamStore['markComplete']>) => {
          completions += 1;
          return store.markComplete(...args);
        },
      });
      const retry = await new EventStreams(counting, archive, { maxAttempts: 5 }).append(
        port,
        'order-7b',
        append([envelope('c2')]),
      );
      expect(retry.replayed).toBe(true);
      expect(completions).toBe(1);
    });

    it('has the next appender complete the dead commit, so a late retry is still found', async () => {
      const port = await freshPort();
      const dying = new EventStreams(crashingOnce(), archive, { maxAttempts: 5 });
      await expect(dying.append(port, 'order-8', append([envelope('d1')]))).rejects.toThrow('process died');
      await streams.append(port, 'order-8', append([envelope('d2')]));
      await streams.append(port, 'order-8', append([envelope('d3')]));
      const retry = await streams.append(port, 'order-8', append([envelope('d1')]));
      expect(retry).toEqual(expect.objectContaining({ replayed: true }));
      expect(retry.result.firstSequence).toBe(1);
      expect(
        (await readAll(port, 'order-8')).map(
          (entry) => (entry.event as { metadata: { id: string } }).metadata.id,
        ),
      ).toEqual(['d1', 'd2', 'd3']);
    });
  });
});

describe('the archive', () => {
  it('holds every appended event, unmutated, under the port prefix', async () => {
    const port = await freshPort();
    const events = [envelope('a1', { amount: 1.5, note: 'ünïcødé' }), envelope('a2')];
    await streams.append(port, 'order-9', append(events));
    for (const [index, event] of events.entries()) {
      const key = `${port.archive?.prefix}/events/order-9/${String(index + 1).padStart(20, '0')}.json`;
      expect(await archived(key)).toBe(JSON.stringify(event));
    }
  });
});

describe('the claim check', () => {
  it('stores an event beyond 400 KB in the archive and reads it back identical', async () => {
    const port = await freshPort();
    const big = bigEnvelope('big-1', 450_000);
    await streams.append(port, 'order-10', append([envelope('small-1'), big]));
    const [item] = await rawItems(port, 'order-10');
    const events = (item?.events ?? []) as {
      id: string;
      body?: string;
      claim?: { key: string };
      size: number;
    }[];
    const stored = events[1];
    expect(stored?.body).toBeUndefined();
    expect(stored?.size).toBe(Buffer.byteLength(JSON.stringify(big)));
    expect(await archived(stored?.claim?.key ?? '')).toBe(JSON.stringify(big));
    const read = await readAll(port, 'order-10');
    expect(read.map((entry) => entry.event)).toEqual([envelope('small-1'), big]);
    expect(await archived(`${port.archive?.prefix}/events/order-10/${'2'.padStart(20, '0')}.json`)).toBe(
      JSON.stringify(big),
    );
  });

  it('refuses to return a claim-checked event whose archive object no longer matches its sha256', async () => {
    const port = await freshPort();
    await streams.append(port, 'order-11', append([bigEnvelope('big-2', 420_000)]));
    const [item] = await rawItems(port, 'order-11');
    const key = ((item?.events ?? []) as { claim: { key: string } }[])[0]?.claim.key;
    const tampered = JSON.stringify(bigEnvelope('big-2', 420_001));
    await stack.s3.send(new PutObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key, Body: tampered }));
    await expect(readAll(port, 'order-11')).rejects.toThrow(/sha256/);
    await expect(readAll(port, 'order-11')).rejects.toBeInstanceOf(UpstreamError);
    const object = await stack.s3.send(new GetObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: key }));
    expect(await object.Body?.transformToString()).toBe(tampered);
  });

  it('answers an archive it cannot write as unavailable (503), and completes the commit once it can', async () => {
    const bucket = `gone-${Date.now()}`;
    const port = { ...(await freshPort()), archive: { bucket, prefix: 'archive/gone/v1' } };
    const failed = streams.append(port, 'order-gone', append([envelope('g1')]));
    await expect(failed).rejects.toBeInstanceOf(UpstreamError);
    await expect(failed).rejects.toThrow(new RegExp(`s3://${bucket}/archive/gone/v1/events/order-gone/`));

    await stack.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const next = await streams.append(port, 'order-gone', append([envelope('g2')]));
    expect(next.result.firstSequence).toBe(2);
    expect((await rawItems(port, 'order-gone')).filter((item) => item.pending)).toEqual([]);
  });

  it('refuses (413) an event beyond 400 KB on a port without an archive, writing nothing', async () => {
    const port = await freshPort(false);
    await expect(streams.append(port, 'order-12', append([bigEnvelope('big-3', 450_000)]))).rejects.toThrow(
      PayloadTooLargeError,
    );
    expect(await rawItems(port, 'order-12')).toEqual([]);
  });
});

describe('reading', () => {
  it('pages forward from any sequence, even inside a multi-event commit', async () => {
    const port = await freshPort(false);
    for (let commit = 0; commit < 5; commit++) {
      await streams.append(port, 'order-13', append([0, 1, 2].map((n) => envelope(`p${commit}-${n}`))));
    }
    const first = await streams.read(port, 'order-13', 2, 4);
    expect(first.events.map((entry) => entry.sequence)).toEqual([2, 3, 4, 5]);
    expect(first.next).toBe(6);
    const rest = await streams.read(port, 'order-13', 6, 100);
    expect(rest.events.map((entry) => entry.sequence)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(rest.next).toBeUndefined();
    expect((await streams.read(port, 'order-13', 13, 3)).next).toBeUndefined();
    expect(await streams.read(port, 'never-written', 1, 10)).toEqual({
      aggregateId: 'never-written',
      events: [],
    });
  });
});
