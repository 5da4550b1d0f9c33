import { allResources, type ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { placeFolder, type StoragePlacement } from '../../shared/storage/storage-placement.js';
import { parseS3Specific } from '../s3/s3-specific.js';

/** Where a port archives its events: a folder provided by an S3 resource the port depends on. */
export interface ArchiveLocation {
  bucket: string;
  /** Without leading or trailing slash. */
  directory: string;
}

/** The `specific` block of an event-store port, once validated. */
export interface EventStoreSpecific {
  archive?: ArchiveLocation;
}

export const S3_TECHNOLOGIES: readonly string[] = ['s3', 's3cdp'];
const BASE = '/resource/specific';
const ARCHIVE = `${BASE}/archive`;

/**
 * Every synchronous check of an event-store request, all problems at once:
 * the shape of `specific`, an owner (the role that appends), that the
 * archive folder is provided by an S3 resource listed in `dependsOn`, and
 * that it can be placed (`placement`) as that resource's folders are.
 */
export function eventStoreRequestIssues(
  request: ResourceRequest,
  placement: StoragePlacement,
): ValidationIssue[] {
  const { resource } = request;
  const { value, issues } = parseEventStoreSpecific(resource.specific);
  if (resource.kind !== 'outputPort') {
    issues.push({
      path: '/resource/kind',
      message: `event-store resources are output ports, not ${resource.kind}`,
    });
  }
  if (!resource.owner) {
    issues.push({ path: '/resource/owner', message: 'is required: the role that may append events' });
  }
  if (value?.archive) {
    issues.push(...archiveProvenanceIssues(request, value.archive));
    const placed = placeFolder(placement, request.dataProduct, value.archive.directory);
    if ('problem' in placed) issues.push({ path: `${ARCHIVE}/directory`, message: placed.problem });
  }
  return issues;
}

/**
 * The S3 resources in the port's `dependsOn` (their names): the only owners
 * whose folder may hold the port's archive.
 */
export function archiveProviderNames(request: ResourceRequest): string[] {
  return s3Dependencies(request).map((provider) => provider.name);
}

/** Pure checks of `specific`: only `archive`, itself `{bucket, directory}` with S3's own rules. */
export function parseEventStoreSpecific(specific: Record<string, unknown>): {
  value?: EventStoreSpecific;
  issues: ValidationIssue[];
} {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(specific)) {
    if (key !== 'archive') {
      issues.push({
        path: `${BASE}/${key}`,
        message: `unknown key "${key}"; event-store ports take only archive: {bucket, directory}`,
      });
    }
  }
  const archive = specific.archive;
  if (archive === undefined) return issues.length > 0 ? { issues } : { value: {}, issues };
  if (archive === null || typeof archive !== 'object' || Array.isArray(archive)) {
    issues.push({ path: ARCHIVE, message: 'must be an object {bucket, directory}' });
    return { issues };
  }
  const fields = archive as Record<string, unknown>;
  if (Array.isArray(fields.directories)) {
    issues.push({ path: `${ARCHIVE}/directories`, message: 'an archive is one folder: use directory' });
  }
  for (const key of Object.keys(fields)) {
    if (key !== 'bucket' && key !== 'directory' && key !== 'directories') {
      issues.push({
        path: `${ARCHIVE}/${key}`,
        message: `unknown key "${key}"; archive takes bucket and directory`,
      });
    }
  }
  // The same folder rules as the S3 microservice's, so an archive can never name what S3 would refuse.
  const s3 = parseS3Specific({ bucket: fields.bucket, directory: fields.directory });
  issues.push(
    ...s3.issues.map((issue) => ({ ...issue, path: issue.path.replace(`${BASE}/`, `${ARCHIVE}/`) })),
  );
  const directory = s3.value?.directories[0];
  if (issues.length > 0 || !s3.value || directory === undefined) return { issues };
  return { value: { archive: { bucket: s3.value.bucket, directory } }, issues };
}

/**
 * The archive must be a folder some S3 resource of this data product
 * provides and this port waits for (`dependsOn`): same bucket, and a
 * directory equal to or under one of that resource's directories.
 */
export function archiveProvenanceIssues(
  request: ResourceRequest,
  archive: ArchiveLocation,
): ValidationIssue[] {
  const providers = s3Dependencies(request);
  if (providers.length === 0) {
    return [
      {
        path: ARCHIVE,
        message:
          'must be provided by an S3 resource (technology s3 or s3cdp) that this port lists in dependsOn; ' +
          `dependsOn lists ${request.resource.dependsOn.length === 0 ? 'nothing' : `no S3 resource (${request.resource.dependsOn.join(', ')})`}`,
      },
    ];
  }
  const sameBucket = providers.filter((provider) => provider.bucket === archive.bucket);
  if (sameBucket.length === 0) {
    return [
      {
        path: `${ARCHIVE}/bucket`,
        message: `"${archive.bucket}" is not the bucket of any S3 resource in dependsOn (${describe(providers)})`,
      },
    ];
  }
  const covered = sameBucket.some((provider) =>
    provider.directories.some(
      (directory) => archive.directory === directory || archive.directory.startsWith(`${directory}/`),
    ),
  );
  if (covered) return [];
  return [
    {
      path: `${ARCHIVE}/directory`,
      message: `"${archive.directory}" is neither equal to nor under a directory of an S3 resource in dependsOn (${describe(sameBucket)})`,
    },
  ];
}

interface S3Provider {
  name: string;
  bucket: string;
  directories: string[];
}

function s3Dependencies({ descriptor, resource }: ResourceRequest): S3Provider[] {
  const byName = new Map<string, ResourceDescriptor>(
    safeResources(descriptor).map((candidate) => [candidate.name, candidate]),
  );
  return resource.dependsOn.flatMap((name) => {
    const dependency = byName.get(name);
    if (!dependency || !S3_TECHNOLOGIES.includes(dependency.technology)) return [];
    const specific = dependency.specific;
    if (specific === null || typeof specific !== 'object') return [];
    const parsed = parseS3Specific(specific).value;
    return parsed ? [{ name, ...parsed }] : [];
  });
}

/** The request's descriptor is only checked to be an object: read its lists defensively. */
function safeResources(descriptor: ResourceRequest['descriptor']): ResourceDescriptor[] {
  const lists = descriptor as Partial<Record<'outputPorts' | 'workloads' | 'observability', unknown>>;
  const complete = {
    outputPorts: Array.isArray(lists.outputPorts) ? lists.outputPorts : [],
    workloads: Array.isArray(lists.workloads) ? lists.workloads : [],
    observability: Array.isArray(lists.observability) ? lists.observability : [],
  } as ResourceRequest['descriptor'];
  return allResources(complete).filter(
    (candidate): candidate is ResourceDescriptor =>
      candidate !== null && typeof candidate === 'object' && typeof candidate.name === 'string',
  );
}

function describe(providers: readonly S3Provider[]): string {
  return providers
    .map((provider) => `${provider.name}: s3://${provider.bucket}/${provider.directories.join(', ')}`)
    .join('; ');
}
