import { isIP } from 'node:net';
import type { BlacklistKind } from './blacklist/blacklist-entry.entity';
import type { ConsentChannel } from './consent.types';
import { ConsentErrors } from './consent.errors';

const EMAIL = /^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$/;
const PHONE = /^\+?[0-9]{6,15}$/;

/**
 * An address in the one form the blacklist, bounces and consent compare: e-mail trimmed and
 * lower-cased (mailbox providers ignore case in practice); a phone number without spaces, dots,
 * dashes and brackets, `00` read as `+`. `null` when it is neither.
 */
export function normaliseAddress(value: string): { kind: BlacklistKind; value: string } | null {
  const trimmed = value.trim();
  if (trimmed.includes('@')) {
    const email = trimmed.toLowerCase();
    return email.length <= 320 && EMAIL.test(email) ? { kind: 'email', value: email } : null;
  }
  const phone = trimmed.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return PHONE.test(phone) ? { kind: 'phone', value: phone } : null;
}

/** {@link normaliseAddress}, or a 422 naming `field`. */
export function requireAddress(
  value: string,
  field: string,
): { kind: BlacklistKind; value: string } {
  const normal = typeof value === 'string' ? normaliseAddress(value) : null;
  if (!normal) {
    throw ConsentErrors.invalidField(field, 'must be an e-mail address or a phone number');
  }
  return normal;
}

/** The address kind a channel uses: e-mail for `email`, a phone number for `phone` and `sms`; none for `post`. */
export function addressKindOf(channel: ConsentChannel): BlacklistKind | null {
  switch (channel) {
    case 'email':
      return 'email';
    case 'phone':
    case 'sms':
      return 'phone';
    case 'post':
      return null;
  }
}

/**
 * The client's IP with its host part zeroed (IPv4 /24, IPv6 /48): enough to show the region and
 * network a consent came from, not enough to single out a device. `null` when none was given.
 */
export function truncateIp(ip: string | null | undefined): string | null {
  if (!ip) {
    return null;
  }
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(plain) === 4) {
    return `${plain.split('.').slice(0, 3).join('.')}.0`;
  }
  if (isIP(plain) === 6) {
    const [head, tail = ''] = plain.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
    return `${groups.slice(0, 3).join(':')}::`;
  }
  return null;
}
