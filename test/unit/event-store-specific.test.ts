import { describe, expect, it } from 'vitest';
import {
  eventStoreAccessPolicy,
  eventTableArn,
} from '../../microservices/event-store/event-store-access-policies.js';
import { EventStoreProvisioner } from '../../microservices/event-store/event-store-provisioner.js';
import { eventStoreRequestIssues } from '../../microservices/event-store/event-store-specific.js';
import {
  archivePrefixOf,
  eventStorePolicyName,
  eventTableName,
} from '../../microservices/event-store/port-identity.js';
import { ResourceUseCases } from '../../shared/microservice/resource-use-cases.js';
import { DEFAULT_STORAGE_PLACEMENT } from '../../shared/storage/storage-placement.js';
import {
  ARCHIVE_BUCKET,
  archivingPort,
  eventPort,
  resourceRequest,
  s3Folder,
} from '../support/event-store-fixtures.js';

const issuesOf = (request: Parameters<typeof eventStoreRequestIssues>[0]) =>
  eventStoreRequestIssues(request, DEFAULT_STORAGE_PLACEMENT);

describe('eventStoreRequestIssues', () => {
  it('accepts a port without an archive', () => {
    expect(issuesOf(resourceRequest(eventPort()))).toEqual([]);
  });

  it('accepts an archive equal to, or under, a folder of an S3 resource the port depends on', () => {
    for (const directory of ['orders', 'orders/events', 'orders/events/v1']) {
      expect(issuesOf(resourceRequest(archivingPort(directory), [s3Folder()]))).toEqual([]);
    }
  });

  it('refuses an archive when dependsOn lists no S3 resource', () => {
    const port = archivingPort('orders', { dependsOn: [] });
    expect(issuesOf(resourceRequest(port, [s3Folder()]))).toEqual([
      { path: '/resource/specific/archive', message: expect.stringContaining('dependsOn lists nothing') },
    ]);
  });

  it('refuses an archive whose provider is not an S3 technology', () => {
    const other = { ...s3Folder(), technology: 'event-store' };
    expect(issuesOf(resourceRequest(archivingPort(), [other]))).toEqual([
      { path: '/resource/specific/archive', message: expect.stringContaining('no S3 resource (orders_raw)') },
    ]);
  });

  it('refuses another bucket than the S3 resource provides', () => {
    const port = eventPort({
      dependsOn: ['orders_raw'],
      specific: { archive: { bucket: 'dmp-datamesh-s3', directory: 'orders' } },
    });
    expect(issuesOf(resourceRequest(port, [s3Folder()]))).toEqual([
      {
        path: '/resource/specific/archive/bucket',
        message: expect.stringContaining(`orders_raw: s3://${ARCHIVE_BUCKET}/orders`),
      },
    ]);
  });

  it('refuses a directory outside the S3 folder, including one that merely shares its prefix', () => {
    for (const directory of ['ordersx', 'order', 'finance/orders']) {
      expect(issuesOf(resourceRequest(archivingPort(directory), [s3Folder()]))).toEqual([
        { path: '/resource/specific/archive/directory', message: expect.stringContaining(directory) },
      ]);
    }
  });

  it('refuses an archive that cannot be placed: in, on or above a platform prefix', () => {
    const unrooted = { rootTemplate: '', reservedPrefixes: ['artifacts'] };
    const provider = s3Folder('orders_raw', 'artifacts');
    for (const directory of ['artifacts', 'artifacts/events']) {
      expect(
        eventStoreRequestIssues(resourceRequest(archivingPort(directory), [provider]), unrooted),
      ).toEqual([
        {
          path: '/resource/specific/archive/directory',
          message: expect.stringContaining('the platform prefix artifacts/'),
        },
      ]);
    }
  });

  it('lists every problem at once, with JSON pointers into the request', () => {
    const port = eventPort({
      kind: 'workload',
      owner: undefined,
      specific: { archive: { bucket: 'Bad_Bucket', directory: '../up', extra: 1 }, table: 'mine' },
    });
    const paths = issuesOf(resourceRequest(port)).map((issue) => issue.path);
    expect(paths.sort()).toEqual(
      [
        '/resource/specific/table',
        '/resource/specific/archive/extra',
        '/resource/specific/archive/bucket',
        '/resource/specific/archive/directory',
        '/resource/kind',
        '/resource/owner',
      ].sort(),
    );
  });

  it('is what the kit checks before accepting a request, and archive is declared immutable', () => {
    const provisioner = new EventStoreProvisioner(
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      {
        tablePrefix: 'dmp-events',
        publicUrl: 'http://x',
        arnScope: { partition: 'aws', region: '*', accountId: '*' },
        placement: DEFAULT_STORAGE_PLACEMENT,
      },
    );
    const useCases = new ResourceUseCases(provisioner, {} as never, {} as never, {} as never);
    expect(useCases.capabilities()).toEqual({
      technologies: ['event-store'],
      immutableSpecific: ['archive'],
    });
    expect(() => useCases.check(resourceRequest(archivingPort('elsewhere'), [s3Folder()]))).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ path: '/resource/specific/archive/directory' })],
      }),
    );
  });
});

describe('eventTableName', () => {
  const id = { environment: 'test', domain: 'sales', name: 'orders', version: '1.4.2', port: 'order_events' };

  it('is deterministic, readable, and the same for every version of a MAJOR', () => {
    const name = eventTableName('dmp-events', id);
    expect(name).toMatch(/^dmp-events\.test\.sales\.orders\.v1\.order_events\.[0-9a-f]{12}$/);
    expect(eventTableName('dmp-events', { ...id, version: '1.0.0' })).toBe(name);
    expect(eventTableName('dmp-events', { ...id, version: '2.0.0' })).not.toBe(name);
  });

  it('never lets names containing the separator collide', () => {
    const a = eventTableName('p', { ...id, environment: 'a.b', domain: 'c' });
    const b = eventTableName('p', { ...id, environment: 'a', domain: 'b.c' });
    expect(a).not.toBe(b);
  });

  it('stays a valid DynamoDB name of at most 255 characters for the longest names', () => {
    const long = 'n'.repeat(128);
    const names = [
      eventTableName('dmp-events', {
        environment: long,
        domain: long,
        name: long,
        version: '1.0.0',
        port: long,
      }),
      eventTableName('dmp-events', {
        environment: long,
        domain: long,
        name: long,
        version: '1.0.0',
        port: `${long.slice(1)}m`,
      }),
    ];
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
    expect(names[0]).not.toBe(names[1]);
  });

  it('gives each data product version its own policy name within IAM limits, and each port its archive prefix', () => {
    const policy = eventStorePolicyName(id);
    expect(policy.length).toBeLessThanOrEqual(128);
    expect(eventStorePolicyName({ ...id, version: '1.4.3' })).not.toBe(policy);
    expect(archivePrefixOf('sales/orders', id)).toBe('sales/orders/order_events/v1');
  });
});

describe('eventStoreAccessPolicy', () => {
  const arn = eventTableArn('t1', { partition: 'aws', region: 'eu-north-1', accountId: '123456789012' });

  it('lets the owner append and read, on exactly the table', () => {
    const statement = eventStoreAccessPolicy(arn, 'read-write').Statement[0];
    expect(statement?.Resource).toEqual(['arn:aws:dynamodb:eu-north-1:123456789012:table/t1']);
    expect(statement?.Action).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
    expect(statement?.Action).not.toContain('dynamodb:DeleteItem');
  });

  it('lets an allowed role only read', () => {
    const actions = eventStoreAccessPolicy(arn, 'read-only').Statement[0]?.Action ?? [];
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((action) => /Put|Write|Update|Delete/.test(action))).toEqual([]);
  });
});
