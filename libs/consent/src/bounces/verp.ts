import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey, isId } from '@custos/core';
import type { DeliveryOutcome } from './bounces';

/** Hex digits of the tag: 64 bits, guessed only by mailing the bounce mailbox 2^63 times. */
const TAG_LENGTH = 16;

/** The key of VERP tags, derived from the consent module's secret. */
export function verpKey(secret: Buffer): Buffer {
  return deriveKey(secret, 'custos/consent-verp');
}

/**
 * The tag of a return path: HMAC-SHA256 of the account and the lower-cased address (MTAs may
 * lower-case a local part), hex. Without it anyone could send a bounce, or a mail that bounces, to
 * `bounces+<account>=<anyone's address>@host` (the account id is in every mail's Return-Path) and
 * have that address counted as bouncing until it is blacklisted.
 */
function tagOf(key: Buffer, accountId: string, address: string): string {
  return createHmac('sha256', key)
    .update(`${accountId.toLowerCase()}\n${address.toLowerCase()}`, 'utf8')
    .digest('hex')
    .slice(0, TAG_LENGTH);
}

/**
 * The VERP return path of a mail to `address` of `accountId`:
 * `bounces+<tag>=<account>=<local>=<domain>@host` for a base of `bounces@host`, so a bounce names
 * the account and the recipient by itself, and the tag (under `key`, see {@link verpKey}) shows
 * that this server made it.
 */
export function verpReturnPath(
  base: string,
  accountId: string,
  address: string,
  key: Buffer,
): string {
  const at = base.lastIndexOf('@');
  const tag = tagOf(key, accountId, address);
  return `${base.slice(0, at)}+${tag}=${accountId}=${address.replace('@', '=')}${base.slice(at)}`;
}

/** The account and recipient of a VERP return path of `base` tagged under `key`, or `null`. */
export function parseVerp(
  base: string,
  returnPath: string,
  key: Buffer,
): { accountId: string; address: string } | null {
  const at = base.lastIndexOf('@');
  const prefix = `${base.slice(0, at)}+`.toLowerCase();
  const host = base.slice(at).toLowerCase();
  const path = returnPath.trim().replace(/^<|>$/g, '');
  if (!path.toLowerCase().startsWith(prefix) || !path.toLowerCase().endsWith(host)) {
    return null;
  }
  const middle = path.slice(prefix.length, path.length - host.length);
  const match = new RegExp(`^([0-9a-f]{${TAG_LENGTH}})=([^=]+)=(.+)=([^=]+)$`, 'i').exec(middle);
  const accountId = match?.[2].toLowerCase();
  if (!match || !isId(accountId)) {
    return null;
  }
  const address = `${match[3]}@${match[4]}`;
  const given = Buffer.from(match[1].toLowerCase(), 'utf8');
  const expected = Buffer.from(tagOf(key, accountId, address), 'utf8');
  return timingSafeEqual(given, expected) ? { accountId, address } : null;
}

/**
 * Reads a delivery-status notification (RFC 3464, `multipart/report; report-type=delivery-status`):
 * the VERP address it was returned to (the bounce's `To:`, or `X-Original-To:`/`Delivered-To:`),
 * the outcome from `Action:` and `Status:` (5.x.x failed → hard, 4.x.x or delayed → soft,
 * delivered → delivered), and the `Message-ID` of the returned mail (in the report's body: its
 * returned headers), or null. `null` when it is not one.
 */
export function readDsn(
  raw: string,
): { returnPath: string; outcome: DeliveryOutcome; messageId: string | null } | null {
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(raw)?.[1]?.trim() ?? null;
  const to = header('X-Original-To') ?? header('Delivered-To') ?? header('To');
  const returnPath = to ? (/<([^>]+)>/.exec(to)?.[1] ?? to) : null;
  const action = header('Action')?.toLowerCase();
  const status = header('Status');
  if (!returnPath || !action) {
    return null;
  }
  // The report's own Message-ID is in its header; the returned mail's comes after the first blank line.
  const split = raw.search(/\r?\n\r?\n/);
  const body = split < 0 ? '' : raw.slice(split);
  const messageId = /^Message-ID:\s*(<[^>\s]+>)/im.exec(body)?.[1] ?? null;
  const outcome: DeliveryOutcome | null =
    action === 'delivered' || action === 'relayed' || action === 'expanded'
      ? 'delivered'
      : action === 'failed' && status?.startsWith('5')
        ? 'hard_bounce'
        : action === 'failed' || action === 'delayed'
          ? 'soft_bounce'
          : null;
  return outcome ? { returnPath, outcome, messageId } : null;
}
