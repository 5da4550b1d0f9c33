import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';

export const DATA_PRODUCT = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
export const ARCHIVE_BUCKET = 'ms-datamesh-s3';

/** An S3 folder resource, as the S3 microservice provisions it (at test/sales/<directory>). */
export function s3Folder(
  name = 'orders_raw',
  directory = 'orders',
  bucket = ARCHIVE_BUCKET,
): ResourceDescriptor {
  return {
    kind: 'outputPort',
    name,
    type: 'raw',
    technology: 's3cdp',
    owner: 'sales-owner',
    allow: [],
    dependsOn: [],
    specific: { bucket, directory },
  };
}

export function eventPort(overrides: Partial<ResourceDescriptor> = {}): ResourceDescriptor {
  return {
    kind: 'outputPort',
    name: 'order_events',
    type: 'events',
    technology: 'event-store',
    owner: 'sales-owner',
    allow: ['sales-reader'],
    dependsOn: [],
    specific: {},
    ...overrides,
  };
}

/** A port archiving into a folder of the S3 resource it depends on. */
export function archivingPort(directory = 'orders/events', overrides: Partial<ResourceDescriptor> = {}) {
  return eventPort({
    dependsOn: ['orders_raw'],
    specific: { archive: { bucket: ARCHIVE_BUCKET, directory } },
    ...overrides,
  });
}

/** The request the provisioner sends for `resource`, in a descriptor that also lists `others`. */
export function resourceRequest(
  resource: ResourceDescriptor,
  others: ResourceDescriptor[] = [],
  options: { version?: string; removeData?: boolean } = {},
): ResourceRequest {
  const version = options.version ?? DATA_PRODUCT.version;
  return {
    operationId: 'op-1',
    dataProduct: { ...DATA_PRODUCT, version },
    descriptor: {
      name: DATA_PRODUCT.name,
      domain: DATA_PRODUCT.domain,
      version,
      environment: { name: DATA_PRODUCT.environment, specific: {} },
      outputPorts: [...others, resource],
      workloads: [],
      observability: [],
    },
    resource,
    removeData: options.removeData ?? false,
    attempt: 1,
  };
}

/** An envelope as the seed shows it (epoch-millisecond timestamp). */
export function envelope(
  id: string,
  data: unknown = { orderId: id },
  metadata: Record<string, unknown> = {},
) {
  return {
    metadata: {
      id,
      timestamp: '1566833470262',
      source: 'webshop',
      eventType: 'OrderPlaced',
      owner: 'sales',
      user: '',
      resource: '/orders',
      version: 1,
      region: 'eu-north-1',
      jurisdiction: 'eu',
      tags: ['orders'],
      dataSensitivity: 'internal',
      ...metadata,
    },
    data,
  };
}

export function cloudEvent(id: string, extra: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id,
    source: 'urn:webshop',
    type: 'com.example.order.placed',
    time: '2024-05-01T12:00:00Z',
    subject: 'orders/42',
    datacontenttype: 'application/json',
    data: { orderId: 42 },
    ...extra,
  };
}

/** A JSON event whose text is about `bytes` long. */
export function bigEnvelope(id: string, bytes: number) {
  return envelope(id, { blob: 'x'.repeat(bytes) });
}
