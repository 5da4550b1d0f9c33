import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';
import type { DataProductFilter } from './store/state-store.js';

/**
 * Listing cursors are the store's (a DynamoDB start key), signed with an
 * HMAC over the cursor and the listing's filter: a cursor this service did
 * not issue, altered, or replayed with another filter is a 400 naming
 * `/query/cursor`, never a start key anybody wrote. Without a configured key
 * each process draws its own, so replicas behind one load balancer need one
 * shared key (`DMP_STATE_CURSOR_KEY`) or a cursor one of them issued is
 * refused by the others.
 */
export class ListingCursors {
  private readonly key: Buffer;

  constructor(key?: string) {
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  sign(cursor: string, filter: DataProductFilter): string {
    return `${cursor}.${this.mac(cursor, filter).toString('base64url')}`;
  }

  /** The store's cursor inside a signed one; ValidationError unless this key signed it for this filter. */
  open(signed: string, filter: DataProductFilter): string {
    const dot = signed.lastIndexOf('.');
    const cursor = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'base64url');
    const expected = this.mac(cursor, filter);
    if (dot <= 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ValidationError('The cursor is invalid', [
        { path: '/query/cursor', message: 'is not a cursor this service issued for this listing' },
      ]);
    }
    return cursor;
  }

  private mac(cursor: string, filter: DataProductFilter): Buffer {
    const listing = [filter.environment ?? null, filter.domain ?? null, filter.state ?? null, cursor];
    return createHmac('sha256', this.key).update(JSON.stringify(listing)).digest();
  }
}
