import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'pl1';
const LINK = /^pl1\.([0-9a-f-]{36})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/;

/** What a partner access link names: whose it is, and of which generation. */
export interface LinkClaims {
  userId: string;
  generation: number;
}

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** `pl1.<user id>.<generation>.<HMAC-SHA256, base64url>`: no secret in it, only a signature. */
export function signLink(key: Buffer, claims: LinkClaims): string {
  const payload = `${VERSION}.${claims.userId}.${claims.generation}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The claims of a link this key signed; `null` for anything else. */
export function verifyLink(key: Buffer, link: unknown): LinkClaims | null {
  const match = typeof link === 'string' ? LINK.exec(link) : null;
  if (!match) {
    return null;
  }
  const [, userId, generation, signature] = match;
  const expected = mac(key, `${VERSION}.${userId}.${generation}`);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { userId, generation: Number(generation) }
    : null;
}
