import { isId } from '@custos/core';
import type { DeliveryOutcome } from './bounces';

/**
 * The VERP return path of a mail to `address` of `accountId`: `bounces+<account>=<local>=<domain>@host`
 * for a base of `bounces@host`, so a bounce names the account and the recipient by itself.
 */
export function verpReturnPath(base: string, accountId: string, address: string): string {
  const at = base.lastIndexOf('@');
  return `${base.slice(0, at)}+${accountId}=${address.replace('@', '=')}${base.slice(at)}`;
}

/** The account and recipient of a VERP return path of `base`, or `null`. */
export function parseVerp(
  base: string,
  returnPath: string,
): { accountId: string; address: string } | null {
  const at = base.lastIndexOf('@');
  const prefix = `${base.slice(0, at)}+`.toLowerCase();
  const host = base.slice(at).toLowerCase();
  const path = returnPath.trim().replace(/^<|>$/g, '');
  if (!path.toLowerCase().startsWith(prefix) || !path.toLowerCase().endsWith(host)) {
    return null;
  }
  const middle = path.slice(prefix.length, path.length - host.length);
  const match = /^([^=]+)=(.+)=([^=]+)$/.exec(middle);
  if (!match || !isId(match[1])) {
    return null;
  }
  return { accountId: match[1], address: `${match[2]}@${match[3]}` };
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
