import { ValidationError, type ValidationIssue } from '../../shared/errors.js';
import { type EventEnvelope, isCloudEvent, parseEvent } from './event-envelope.js';

/** `any`: no check; `no_stream`: the aggregate has no event yet; a number: the aggregate's current version. */
export type ExpectedVersion = 'any' | 'no_stream' | number;

export interface AppendCommand {
  expectedVersion: ExpectedVersion;
  events: EventEnvelope[];
}

export const MAX_EVENTS_PER_APPEND = 100;

/**
 * The body of an append: `{expectedVersion, events: [event, …]}` (or `events`
 * a single event), or a bare event whose expected version comes from the
 * query (default `any`). Every problem is reported at once, with its path.
 */
export function parseAppendCommand(
  body: unknown,
  { owner, queryExpectedVersion }: { owner: string; queryExpectedVersion?: unknown },
): AppendCommand {
  const issues: ValidationIssue[] = [];
  let expected: unknown = queryExpectedVersion;
  let expectedPath = '/query/expectedVersion';
  let items: { value: unknown; path: string }[] = [];

  if (isObject(body) && ('metadata' in body || isCloudEvent(body))) {
    items = [{ value: body, path: '' }];
  } else if (Array.isArray(body)) {
    // The CloudEvents JSON batch format: a bare list of events.
    items = body.map((value, index) => ({ value, path: `/${index}` }));
    issues.push(...countIssues(items.length, ''));
    if (items.length > MAX_EVENTS_PER_APPEND) items = [];
  } else if (isObject(body) && 'events' in body) {
    for (const key of Object.keys(body)) {
      if (key !== 'events' && key !== 'expectedVersion') {
        issues.push({
          path: `/${key}`,
          message: `unknown key "${key}"; an append takes expectedVersion and events`,
        });
      }
    }
    if ('expectedVersion' in body) {
      expected = body.expectedVersion;
      expectedPath = '/expectedVersion';
    }
    if (Array.isArray(body.events)) {
      items = body.events.map((value, index) => ({ value, path: `/events/${index}` }));
      issues.push(...countIssues(items.length, '/events'));
      if (items.length > MAX_EVENTS_PER_APPEND) items = [];
    } else if (isObject(body.events)) {
      items = [{ value: body.events, path: '/events' }];
    } else {
      issues.push({ path: '/events', message: 'must be an event or a list of events' });
    }
  } else {
    issues.push({
      path: '',
      message:
        'must be {expectedVersion, events: [...]}, a single event (an envelope or a CloudEvent) or a CloudEvents batch',
    });
  }

  const expectedVersion = parseExpectedVersion(expected, expectedPath, issues);
  const events: EventEnvelope[] = [];
  const seen = new Map<string, string>();
  for (const { value, path } of items) {
    const parsed = parseEvent(value, path, { owner });
    issues.push(...parsed.issues);
    if (!parsed.event) continue;
    const id = parsed.event.metadata.id;
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push({
        path: `${path}/${isCloudEvent(value) ? 'id' : 'metadata/id'}`,
        message: `repeats the id of ${first || 'the first event'}`,
      });
    } else seen.set(id, path);
    events.push(parsed.event);
  }
  if (issues.length > 0) throw new ValidationError('The append is invalid', issues);
  return { expectedVersion, events };
}

function parseExpectedVersion(value: unknown, path: string, issues: ValidationIssue[]): ExpectedVersion {
  if (value === undefined || value === 'any') return 'any';
  if (value === 'no_stream') return 'no_stream';
  const number = typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number;
  issues.push({
    path,
    message: 'must be "any", "no_stream" or the aggregate\'s current version (an integer ≥ 0)',
  });
  return 'any';
}

function countIssues(count: number, path: string): ValidationIssue[] {
  if (count === 0) return [{ path, message: 'must contain at least one event' }];
  if (count > MAX_EVENTS_PER_APPEND)
    return [{ path, message: `must contain at most ${MAX_EVENTS_PER_APPEND} events` }];
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
