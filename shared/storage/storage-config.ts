import type { EnvReader } from '../config/env-reader.js';
import {
  DEFAULT_RESERVED_PREFIXES,
  DEFAULT_ROOT_TEMPLATE,
  reservedPrefixProblem,
  rootTemplateProblem,
  type StoragePlacement,
} from './storage-placement.js';

export const DEFAULT_STORAGE_OWNER_TABLE = 'dmp-storage-owners';

/** Where folders go, and where their owners are recorded (the S3 and event-store microservices). */
export interface StorageConfig {
  placement: StoragePlacement;
  ownerTable: string;
}

/**
 * The placement every service reads alike. `DMP_STORAGE_ROOT_TEMPLATE` set to
 * the empty string (or `/`) means no root: directories are taken as written.
 */
export function readStoragePlacement(reader: EnvReader): StoragePlacement {
  const raw = reader.asSet('DMP_STORAGE_ROOT_TEMPLATE');
  const rootTemplate = raw === undefined ? DEFAULT_ROOT_TEMPLATE : raw.trim() === '/' ? '' : raw.trim();
  const templateProblem = rootTemplateProblem(rootTemplate);
  if (templateProblem) reader.refuse('DMP_STORAGE_ROOT_TEMPLATE', rootTemplate, templateProblem);
  const reservedPrefixes = reader
    .list('DMP_STORAGE_RESERVED_PREFIXES', DEFAULT_RESERVED_PREFIXES)
    .map((prefix) => prefix.replace(/\/+$/, ''));
  for (const prefix of reservedPrefixes) {
    const problem = reservedPrefixProblem(prefix);
    if (problem) reader.refuse('DMP_STORAGE_RESERVED_PREFIXES', prefix, problem);
  }
  return {
    rootTemplate: templateProblem ? DEFAULT_ROOT_TEMPLATE : rootTemplate,
    reservedPrefixes,
  };
}

export function readStorageConfig(reader: EnvReader): StorageConfig {
  return {
    placement: readStoragePlacement(reader),
    ownerTable: reader.matching(
      'DMP_STORAGE_OWNER_TABLE',
      DEFAULT_STORAGE_OWNER_TABLE,
      /^[A-Za-z0-9_.-]{3,255}$/,
      'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)',
    ),
  };
}
