import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { NonceSource } from './nonce-source';

/** Format version of the envelope layout below. */
export const ENVELOPE_VERSION = 1;
const HEADER = 1 + 4 + 12; // version, key version, nonce
const TAG = 16;
const PREFIX = 'cx1.';

/** Where a value lives; bound into the ciphertext as additional authenticated data. */
export interface ValuePlace {
  accountId: string;
  /** Table or object type, e.g. `crm_contact`. */
  table: string;
  /** Column or property, e.g. `national_id`. */
  column: string;
  recordId: string;
}

/** A data key and its version number (stored in every envelope it seals). */
export interface DataKey {
  version: number;
  key: KeyObject;
}

/** Thrown when a value cannot be opened: tampered, moved to another place, or sealed by an unknown key. */
export class EnvelopeError extends Error {
  constructor(readonly reason: 'malformed' | 'unknown_key' | 'not_authentic') {
    super(`The encrypted value cannot be opened (${reason.replace('_', ' ')}).`);
    this.name = 'EnvelopeError';
  }
}

function aadOf(place: ValuePlace): Buffer {
  // Length-prefixed parts: no two different places share an AAD.
  return Buffer.from(
    JSON.stringify([place.accountId, place.table, place.column, place.recordId]),
    'utf8',
  );
}

const nonces = new NonceSource();

/**
 * AES-256-GCM with a fresh 96-bit nonce per value, in a self-describing envelope:
 * `cx1.` + base64url(version ‖ key version (uint32) ‖ nonce ‖ ciphertext ‖ tag). The place of the
 * value is authenticated, so a ciphertext copied to another row, field or account does not open.
 */
export function seal(plaintext: string, dataKey: DataKey, place: ValuePlace): string {
  const nonce = nonces.next();
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(aadOf(place));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(ENVELOPE_VERSION, 0);
  header.writeUInt32BE(dataKey.version, 1);
  nonce.copy(header, 5);
  return PREFIX + Buffer.concat([header, body, cipher.getAuthTag()]).toString('base64url');
}

/** The key version an envelope was sealed with (for rotation), or throws `malformed`. */
export function keyVersionOf(envelope: string): number {
  return parse(envelope).keyVersion;
}

/** Whether a stored value is an envelope (as opposed to a legacy plaintext value). */
export function isEnvelope(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Opens an envelope with the key of its version; throws {@link EnvelopeError} on any mismatch. */
export function open(
  envelope: string,
  keyFor: (version: number) => KeyObject | undefined,
  place: ValuePlace,
): string {
  const { keyVersion, nonce, body, tag } = parse(envelope);
  const key = keyFor(keyVersion);
  if (!key) {
    throw new EnvelopeError('unknown_key');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aadOf(place));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new EnvelopeError('not_authentic');
  }
}

function parse(envelope: string): { keyVersion: number; nonce: Buffer; body: Buffer; tag: Buffer } {
  if (!isEnvelope(envelope)) {
    throw new EnvelopeError('malformed');
  }
  const bytes = Buffer.from(envelope.slice(PREFIX.length), 'base64url');
  if (
    bytes.length < HEADER + TAG ||
    bytes.readUInt8(0) !== ENVELOPE_VERSION ||
    bytes.toString('base64url') !== envelope.slice(PREFIX.length)
  ) {
    throw new EnvelopeError('malformed');
  }
  return {
    keyVersion: bytes.readUInt32BE(1),
    nonce: bytes.subarray(5, HEADER),
    body: bytes.subarray(HEADER, bytes.length - TAG),
    tag: bytes.subarray(bytes.length - TAG),
  };
}
