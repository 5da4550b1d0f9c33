import { createHash } from 'node:crypto';
import type { DataProductRef } from '../../shared/descriptor/types.js';

/** One event-store output port of one data product version: what the data plane path names. */
export interface PortIdentity extends DataProductRef {
  port: string;
}

/** DynamoDB table names: 3-255 characters of [A-Za-z0-9_.-]. */
const MAX_TABLE_NAME = 255;

export function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}

/**
 * The port's table, shared by every MINOR/PATCH version of a MAJOR version
 * (compatible versions continue the same streams). Names may contain the
 * separator '.', so the readable part alone could collide (`a.b`+`c` vs
 * `a`+`b.c`): a short hash of the unambiguous identity always ends the name,
 * and the readable part is cut when the whole would exceed 255 characters.
 */
export function eventTableName(prefix: string, id: PortIdentity): string {
  const identity = JSON.stringify([id.environment, id.domain, id.name, majorOf(id.version), id.port]);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const readable = [prefix, id.environment, id.domain, id.name, `v${majorOf(id.version)}`, id.port].join('.');
  return `${readable.slice(0, MAX_TABLE_NAME - hash.length - 1)}.${hash}`;
}

/**
 * One inline policy name per port and data product version (so deleting
 * version 1.0.0 never revokes what 1.1.0 granted on the shared table), the
 * same on every run, within IAM's 128 characters.
 */
export function eventStorePolicyName(id: PortIdentity): string {
  const identity = JSON.stringify([id.environment, id.domain, id.name, id.version, id.port]);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const readable = `${id.domain}.${id.name}.${id.port}`.slice(0, 100);
  return `dmp-es.${readable}.${hash}`;
}

/** Where a port's archive lives under the archive directory: ports sharing a directory never collide. */
export function archivePrefixOf(directory: string, id: PortIdentity): string {
  return `${directory}/${id.port}/v${majorOf(id.version)}`;
}

export function describePort(id: PortIdentity): string {
  return [id.environment, id.domain, id.name, id.version, id.port].join('/');
}
