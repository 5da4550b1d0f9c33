import type { ResourceKind } from '../descriptor/types.js';
import type { Role } from './principal.js';

/** A token as stored: its hash, never the token. */
export interface TokenRecord {
  id: string;
  hash: string;
  name: string;
  role: Role;
  domains: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** Who issued it (a token id or JWT subject); absent on tokens issued before it was recorded, and at bootstrap. */
  issuedBy?: string;
  /** Issued by a service credential (see Principal.serviceIssued). */
  serviceIssued?: boolean;
  /** Microservice credentials: the technologies (and kinds) whose resources it may write. */
  technologies?: string[];
  kinds?: ResourceKind[];
  /** Microservice credentials: roles it may issue, one domain at a time. */
  mayIssue?: Role[];
}

export type TokenSummary = Omit<TokenRecord, 'hash'>;

export interface TokenStore {
  get(id: string): Promise<TokenRecord | undefined>;
  /** Fails with ConflictError if the id exists. */
  create(record: TokenRecord): Promise<void>;
  /** Replaces the hash (rotation) or sets revokedAt; fails with NotFoundError for an unknown id. */
  update(record: TokenRecord): Promise<void>;
  list(): Promise<TokenRecord[]>;
}
