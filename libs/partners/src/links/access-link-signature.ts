import { createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 'pl1';
const LINK = /^pl1\.([0-9a-f-]{36})\.(0|[1-9]\d{0,8})\.([A-Za-z0-9_-]{43})$/;

/** What a partner access link names: whose it is, and of which generation. */
export interface LinkClaims {
  userId: string;
  generation: number;
}

/**
 * The employment a link belongs to: when the employee row was made. Signed (not written in the
 * link), so a link dies with the employment — a person who leaves the firm and is added again
 * starts at generation 0 without bringing their old links back.
 */
export type LinkEmployment = Date;

function mac(key: Buffer, claims: LinkClaims, since: LinkEmployment): Buffer {
  return createHmac('sha256', key)
    .update(`${VERSION}.${claims.userId}.${claims.generation}.${since.toISOString()}`)
    .digest();
}

/** `pl1.<user id>.<generation>.<HMAC-SHA256, base64url>`: no secret in it, only a signature. */
export function signLink(key: Buffer, claims: LinkClaims, since: LinkEmployment): string {
  return `${VERSION}.${claims.userId}.${claims.generation}.${mac(key, claims, since).toString('base64url')}`;
}

/** Whom a link names, unverified (to look up their employment); `null` for anything not a link. */
export function readLink(link: unknown): LinkClaims | null {
  return parse(link)?.claims ?? null;
}

function parse(link: unknown): { claims: LinkClaims; signature: string } | null {
  const match = typeof link === 'string' ? LINK.exec(link) : null;
  return match
    ? { claims: { userId: match[1], generation: Number(match[2]) }, signature: match[3] }
    : null;
}

/** The claims of a link this key signed for that employment; `null` for anything else. */
export function verifyLink(key: Buffer, link: unknown, since: LinkEmployment): LinkClaims | null {
  const parsed = parse(link);
  if (!parsed) {
    return null;
  }
  const expected = mac(key, parsed.claims, since);
  const given = Buffer.from(parsed.signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? parsed.claims
    : null;
}
