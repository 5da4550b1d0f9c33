import { Ajv } from 'ajv';
import { issuesFromAjv } from '../../shared/descriptor/schema-issues.js';
import type { ValidationIssue } from '../../shared/errors.js';

/** The serverless event store envelope (seed 000): who, what, when, where, and the data untouched. */
export interface EventEnvelope {
  metadata: EnvelopeMetadata;
  data: unknown;
}

export interface EnvelopeMetadata {
  id: string;
  timestamp: string | number;
  source: string;
  eventType: string;
  owner: string;
  [field: string]: unknown;
}

/** Epoch milliseconds (the seed's form) or an RFC 3339 date-time. */
const TIMESTAMP =
  '^([0-9]{10,16}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}))$';
const RFC3339 =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';
/** Ids become DynamoDB keys: printable, bounded. */
const ID = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$' };
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
const optionalText = (maxLength: number) => ({ type: 'string', maxLength });

const PATTERN_MESSAGES: Record<string, string> = {
  [TIMESTAMP]: 'must be epoch milliseconds or an RFC 3339 date-time such as 2024-05-01T12:00:00Z',
  [RFC3339]: 'must be an RFC 3339 date-time such as 2024-05-01T12:00:00Z',
  [ID.pattern]: 'must not contain control characters',
};

const envelopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['metadata', 'data'],
  properties: {
    metadata: {
      type: 'object',
      required: ['id', 'timestamp', 'source', 'eventType', 'owner'],
      properties: {
        id: ID,
        timestamp: { type: ['string', 'integer'], pattern: TIMESTAMP, minimum: 0 },
        timestampHuman: optionalText(64),
        requestTimeEpoch: { type: ['string', 'integer'] },
        source: text(1024),
        eventType: text(256),
        owner: text(256),
        resource: optionalText(1024),
        user: optionalText(256),
        hostPlatform: optionalText(64),
        version: { type: ['integer', 'string'] },
        region: optionalText(64),
        jurisdiction: optionalText(64),
        tags: { type: 'array', maxItems: 64, items: optionalText(256) },
        dataSensitivity: optionalText(64),
      },
    },
    data: {},
  },
};

/** CloudEvents 1.0 attributes (JSON format); `time` is required here, because the envelope needs a timestamp. */
const CLOUD_EVENT_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
];
/** Extensions that name an envelope field carry it across. */
const EXTENSION_FIELDS: Record<string, string> = {
  owner: 'owner',
  user: 'user',
  region: 'region',
  jurisdiction: 'jurisdiction',
  datasensitivity: 'dataSensitivity',
};
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

const cloudEventSchema = {
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'time'],
  properties: {
    specversion: { const: '1.0' },
    id: ID,
    source: text(1024),
    type: text(256),
    time: { type: 'string', pattern: RFC3339 },
    subject: optionalText(1024),
    datacontenttype: optionalText(256),
    dataschema: optionalText(1024),
    data: {},
    data_base64: { type: 'string' },
    owner: text(256),
    user: optionalText(256),
    region: optionalText(64),
    jurisdiction: optionalText(64),
    datasensitivity: optionalText(64),
  },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validateEnvelope = ajv.compile(envelopeSchema);
const validateCloudEvent = ajv.compile(cloudEventSchema);

export function isCloudEvent(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'specversion' in value;
}

/**
 * One event of an append, as an envelope or a CloudEvent, checked with every
 * problem located under `path`. A CloudEvent is mapped to the envelope (see
 * envelopeFromCloudEvent); an envelope is kept exactly as sent.
 */
export function parseEvent(
  value: unknown,
  path: string,
  defaults: { owner: string },
): { event?: EventEnvelope; issues: ValidationIssue[] } {
  if (isCloudEvent(value)) {
    const issues = validateCloudEvent(value)
      ? []
      : issuesFromAjv(validateCloudEvent.errors, PATTERN_MESSAGES, path);
    const event = value as Record<string, unknown>;
    for (const key of Object.keys(event)) {
      if (!CLOUD_EVENT_ATTRIBUTES.includes(key) && !EXTENSION_NAME.test(key)) {
        issues.push({
          path: `${path}/${key}`,
          message: 'is not a CloudEvents attribute name (lowercase letters and digits, at most 20)',
        });
      }
    }
    if ('data' in event && 'data_base64' in event) {
      issues.push({ path: `${path}/data_base64`, message: 'give either data or data_base64, not both' });
    }
    if (issues.length > 0) return { issues };
    return { event: envelopeFromCloudEvent(event, defaults.owner), issues };
  }
  if (validateEnvelope(value)) return { event: value as unknown as EventEnvelope, issues: [] };
  const issues = issuesFromAjv(validateEnvelope.errors, PATTERN_MESSAGES, path);
  return { issues: issues.length > 0 ? issues : [{ path, message: 'is not a valid event' }] };
}

/**
 * CloudEvents 1.0 → envelope, deterministically (a retried CloudEvent maps to
 * the same bytes): id → metadata.id, source → source, type → eventType,
 * time → timestamp, subject → resource; the extensions owner, user, region,
 * jurisdiction, datasensitivity → the envelope fields of the same meaning;
 * owner defaults to the port's domain. Nothing is lost: specversion,
 * datacontenttype, dataschema, subject and every other extension are kept in
 * metadata.cloudEvents. `data` is kept as is; `data_base64` becomes the data
 * (a string) with metadata.cloudEvents.dataBase64 = true.
 */
export function envelopeFromCloudEvent(event: Record<string, unknown>, defaultOwner: string): EventEnvelope {
  const extensions: Record<string, unknown> = {};
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (CLOUD_EVENT_ATTRIBUTES.includes(key)) continue;
    const field = Object.hasOwn(EXTENSION_FIELDS, key) ? EXTENSION_FIELDS[key] : undefined;
    if (field) mapped[field] = value;
    else extensions[key] = value;
  }
  const cloudEvents: Record<string, unknown> = { specversion: event.specversion };
  for (const key of ['datacontenttype', 'dataschema', 'subject']) {
    if (event[key] !== undefined) cloudEvents[key] = event[key];
  }
  if (Object.keys(extensions).length > 0) cloudEvents.extensions = extensions;
  if ('data_base64' in event) cloudEvents.dataBase64 = true;
  return {
    metadata: {
      id: event.id as string,
      timestamp: event.time as string,
      source: event.source as string,
      eventType: event.type as string,
      owner: defaultOwner,
      ...(event.subject !== undefined ? { resource: event.subject } : {}),
      ...mapped,
      cloudEvents,
    },
    data: 'data' in event ? event.data : 'data_base64' in event ? event.data_base64 : null,
  };
}
