import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * dmp tokens look like `dmp_<id>_<secret>`: the id finds the record, the
 * secret (256 random bits) is never stored — only the SHA-256 of the whole
 * token. A fast hash is enough for secrets this long: nobody can brute-force
 * 2^256; a slow password hash would only slow every request.
 */
const TOKEN = /^dmp_([a-f0-9]{32})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  id: string;
  token: string;
  hash: string;
}

export function issueToken(): IssuedToken {
  const id = randomUUID().replaceAll('-', '');
  const token = `dmp_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The id of a well-formed dmp token, or undefined. */
export function tokenIdOf(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export function isDmpToken(token: string): boolean {
  return TOKEN.test(token);
}

export function hashesMatch(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
