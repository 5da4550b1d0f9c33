import { describe, expect, it } from 'vitest';
import { parseAppendCommand } from '../../microservices/event-store/append-command.js';
import { envelopeFromCloudEvent } from '../../microservices/event-store/event-envelope.js';
import {
  type Commit,
  checkExpectedVersion,
  dedupe,
  placeEvents,
  prepareEvent,
} from '../../microservices/event-store/stream-commit.js';
import { ConflictError, PayloadTooLargeError, ValidationError } from '../../shared/errors.js';
import { cloudEvent, envelope } from '../support/event-store-fixtures.js';

const parse = (body: unknown, queryExpectedVersion?: unknown) =>
  parseAppendCommand(body, { owner: 'sales', queryExpectedVersion });

function issuesOf(body: unknown, queryExpectedVersion?: unknown) {
  try {
    parse(body, queryExpectedVersion);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseAppendCommand', () => {
  it('keeps envelopes exactly as sent', () => {
    const events = [envelope('e1'), envelope('e2', { nested: { list: [1, 'two', null] } })];
    expect(parse({ expectedVersion: 3, events })).toEqual({ expectedVersion: 3, events });
  });

  it('accepts a single event, with the expected version from the query (default any)', () => {
    expect(parse(envelope('e1'))).toEqual({ expectedVersion: 'any', events: [envelope('e1')] });
    expect(parse(envelope('e1'), '7').expectedVersion).toBe(7);
    expect(parse({ expectedVersion: 'no_stream', events: envelope('e1') }).events).toHaveLength(1);
  });

  it('lists every problem of every event at once, with paths', () => {
    const broken = envelope('e2', undefined, { timestamp: 'yesterday', eventType: '' });
    delete (broken as { data?: unknown }).data;
    const noId = envelope('e3');
    delete (noId.metadata as { id?: string }).id;
    const issues = issuesOf({ expectedVersion: -1, events: [envelope('e1'), broken, noId, 5], extra: true });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [
        '/extra',
        '/expectedVersion',
        '/events/1/metadata/timestamp',
        '/events/1/metadata/eventType',
        '/events/1/data',
        '/events/2/metadata/id',
        '/events/3',
      ].sort(),
    );
  });

  it('refuses an empty append, a repeated id and an unknown shape', () => {
    expect(issuesOf({ events: [] })).toEqual([
      { path: '/events', message: 'must contain at least one event' },
    ]);
    expect(issuesOf({ events: [envelope('same'), envelope('same')] })).toEqual([
      { path: '/events/1/metadata/id', message: 'repeats the id of /events/0' },
    ]);
    expect(issuesOf('text')[0]?.path).toBe('');
    expect(issuesOf({ events: [envelope('e')] }, 'latest')[0]?.path).toBe('/query/expectedVersion');
  });

  it('maps a CloudEvent to the envelope without losing an attribute', () => {
    const event = cloudEvent('ce-1', {
      owner: 'sales-team',
      datasensitivity: 'public',
      traceparent: '00-abc',
    });
    expect(parse({ events: [event] }).events[0]).toEqual({
      metadata: {
        id: 'ce-1',
        timestamp: '2024-05-01T12:00:00Z',
        source: 'urn:webshop',
        eventType: 'com.example.order.placed',
        owner: 'sales-team',
        resource: 'orders/42',
        dataSensitivity: 'public',
        cloudEvents: {
          specversion: '1.0',
          datacontenttype: 'application/json',
          subject: 'orders/42',
          extensions: { traceparent: '00-abc' },
        },
      },
      data: { orderId: 42 },
    });
  });

  it('maps deterministically, with the port domain as default owner, and data_base64 as the data', () => {
    const { data: _data, ...withoutData } = cloudEvent('ce-2');
    const binary = { ...withoutData, data_base64: 'aGVsbG8=' };
    const mapped = envelopeFromCloudEvent(binary, 'sales');
    expect(mapped.metadata.owner).toBe('sales');
    expect(mapped.data).toBe('aGVsbG8=');
    expect(mapped.metadata.cloudEvents).toEqual(expect.objectContaining({ dataBase64: true }));
    expect(JSON.stringify(envelopeFromCloudEvent(binary, 'sales'))).toBe(JSON.stringify(mapped));
  });

  it('keeps extensions named like Object members (constructor, toString) as extensions', () => {
    const mapped = envelopeFromCloudEvent(
      { ...cloudEvent('ce-3'), constructor: 'x', tostring: 'y' },
      'sales',
    );
    expect(mapped.metadata.cloudEvents).toEqual(
      expect.objectContaining({ extensions: expect.objectContaining({ constructor: 'x', tostring: 'y' }) }),
    );
    expect(Object.keys(mapped.metadata).filter((key) => key.includes('native code'))).toEqual([]);
  });

  it('accepts a CloudEvents batch and lists CloudEvent problems with their paths', () => {
    expect(parse([cloudEvent('a'), cloudEvent('b')]).events).toHaveLength(2);
    const { time: _time, ...noTime } = cloudEvent('c');
    const issues = issuesOf([
      { ...noTime, specversion: '0.3', 'Bad-Name': 'x' },
      { ...cloudEvent('d'), data_base64: 'eA==' },
    ]);
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['/0/time', '/0/specversion', '/0/Bad-Name', '/1/data_base64'].sort(),
    );
  });
});

describe('checkExpectedVersion', () => {
  it('passes any, a matching version, and no_stream on an empty stream', () => {
    expect(() => checkExpectedVersion('any', 9)).not.toThrow();
    expect(() => checkExpectedVersion(9, 9)).not.toThrow();
    expect(() => checkExpectedVersion('no_stream', 0)).not.toThrow();
  });

  it('refuses a stale version with the current one', () => {
    expect(() => checkExpectedVersion(3, 5)).toThrow(
      expect.objectContaining({ details: { currentVersion: 5 } }) as unknown as Error,
    );
    expect(() => checkExpectedVersion('no_stream', 1)).toThrow(ConflictError);
  });
});

describe('dedupe', () => {
  const prepared = [prepareEvent('a', envelope('a')), prepareEvent('b', envelope('b'))];
  const commitOf = (events: ReturnType<typeof prepareEvent>[], sequence = 4): Commit => ({
    aggregateId: 'agg',
    sequence,
    committedAt: 'now',
    pending: false,
    events: events.map(({ id, sha256, size, body }) => ({ id, sha256, size, body })),
  });

  it('is new when no commit holds the ids', () => {
    expect(dedupe(prepared, [commitOf([prepareEvent('z', envelope('z'))])])).toEqual({ kind: 'new' });
  });

  it('is a replay of the commit holding exactly these events', () => {
    const commit = commitOf(prepared);
    expect(dedupe(prepared, [commit])).toEqual({ kind: 'replay', commit });
  });

  it('refuses ids split across appends, or reused with other content', () => {
    expect(() => dedupe(prepared, [commitOf([prepared[0] as never])])).toThrow(/a \(sequence 4\)/);
    const changed = [prepared[0], prepareEvent('b', envelope('b', { other: true }))] as never;
    expect(() => dedupe(changed, [commitOf(prepared)])).toThrow(
      /b was already appended with different content/,
    );
  });
});

describe('placeEvents', () => {
  const archive = { bucket: 'ms-datamesh-s3', prefix: 'sales/orders/order_events/v1' };

  it('keeps small events inline', () => {
    const stored = placeEvents('agg', [prepareEvent('a', envelope('a'))], archive);
    expect(stored[0]?.body).toBe(JSON.stringify(envelope('a')));
    expect(stored[0]?.claim).toBeUndefined();
  });

  it('claim-checks the largest events until the item fits, content-addressed under the archive', () => {
    const small = prepareEvent('small', envelope('small'));
    const big = prepareEvent('big', envelope('big', { blob: 'x'.repeat(300_000) }));
    const bigger = prepareEvent('bigger', envelope('bigger', { blob: 'y'.repeat(350_000) }));
    const stored = placeEvents('agg', [small, big, bigger], archive);
    expect(stored.map((event) => (event.claim ? 'claim' : 'inline'))).toEqual(['inline', 'inline', 'claim']);
    expect(stored[2]?.claim).toEqual({
      bucket: 'ms-datamesh-s3',
      key: `sales/orders/order_events/v1/claim-check/${bigger.sha256}.json`,
    });
    expect(stored[2]).toEqual(expect.objectContaining({ sha256: bigger.sha256, size: bigger.size }));
  });

  it('refuses an event beyond the item limit when the port has no archive', () => {
    const big = prepareEvent('big', envelope('big', { blob: 'x'.repeat(410_000) }));
    expect(() => placeEvents('agg', [big], undefined)).toThrow(PayloadTooLargeError);
  });
});
