import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 512 ids at a time: one system call per id bounded bulk writes (a mailing's). */
const pool = Buffer.alloc(16 * 512);
let taken = pool.length;

/**
 * A new UUIDv7 (RFC 9562): time-ordered, so ids sort by creation time and keyset pagination
 * by id is also pagination by age, and B-tree inserts stay local.
 */
export function newId(now: number = Date.now()): string {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  // Each 16 bytes of the pool are used by one id only.
  const bytes = pool.subarray(taken, (taken += 16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
