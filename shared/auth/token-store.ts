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
