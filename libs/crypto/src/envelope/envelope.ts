import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { NonceSource } from './nonce-source';

/**
 * Format version new envelopes are written in. Format 2 binds {@link ValuePlace.entry} and the
 * envelope's header; format 1 (the place without `entry`) is still opened, at the caller's
 * `formerPlace`, until a key rotation seals the value again.
 */
export const ENVELOPE_VERSION = 2;
const FORMATS: ReadonlySet<number> = new Set([1, ENVELOPE_VERSION]);
const HEADER = 1 + 4 + 12; // version, key version, nonce
const TAG = 16;
const PREFIX = 'cx1.';

/**
 * SQL `LIKE` patterns that find envelopes stored as JSON strings in text columns, so a scan reads
 * only the rows that may hold one: `jsonString` when the column's text is one JSON string,
 * `inJson` when an envelope string may sit anywhere in it (e.g. a member of a JSON object).
 */
export const ENVELOPE_LIKE = {
  jsonString: `"${PREFIX}%`,
  inJson: `%"${PREFIX}%`,
} as const;

/** Where a value lives; bound into the ciphertext as additional authenticated data. */
export interface ValuePlace {
  accountId: string;
  /** Table or object type, e.g. `crm_contact`. */
  table: string;
  /** Column or property, e.g. `national_id`. */
  column: string;
  recordId: string;
  /**
   * Which of several values of the same record and column this is, e.g. one side of one history
   * entry (`history:<id>:old`); absent for the value itself. Bound since format 2.
   */
  entry?: string;
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

function aadOf(place: ValuePlace, format: number, header: Buffer): Buffer {
  // JSON arrays as length-safe encodings: no two different places share an AAD.
  if (format === 1) {
    return Buffer.from(
      JSON.stringify([place.accountId, place.table, place.column, place.recordId]),
      'utf8',
    );
  }
  return Buffer.concat([
    Buffer.from(
      JSON.stringify([
        'custos/value/2',
        place.accountId,
        place.table,
        place.column,
        place.recordId,
        place.entry ?? null,
      ]),
      'utf8',
    ),
    header,
  ]);
}

const nonces = new NonceSource();

/**
 * AES-256-GCM with a fresh 96-bit nonce per value, in a self-describing envelope:
 * `cx1.` + base64url(format ‖ key version (uint32) ‖ nonce ‖ ciphertext ‖ tag). The place of the
 * value is authenticated, so a ciphertext copied to another row, field, entry or account does not open.
 */
export function seal(plaintext: string, dataKey: DataKey, place: ValuePlace): string {
  return sealInFormat(ENVELOPE_VERSION, plaintext, dataKey, place);
}

/** {@link seal} in a given format: format 1 only to test that older envelopes still open. */
export function sealInFormat(
  format: number,
  plaintext: string,
  dataKey: DataKey,
  place: ValuePlace,
): string {
  const nonce = nonces.next();
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(format, 0);
  header.writeUInt32BE(dataKey.version, 1);
  nonce.copy(header, 5);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(aadOf(place, format, header));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([header, body, cipher.getAuthTag()]).toString('base64url');
}

/** The key version an envelope was sealed with (for rotation), or throws `malformed`. */
export function keyVersionOf(envelope: string): number {
  return parse(envelope).keyVersion;
}

/** The format an envelope was written in (older than {@link ENVELOPE_VERSION}: seal it again), or throws `malformed`. */
export function envelopeFormatOf(envelope: string): number {
  return parse(envelope).format;
}

/** Whether a stored value is an envelope (as opposed to a legacy plaintext value). */
export function isEnvelope(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * Opens an envelope with the key of its version; throws {@link EnvelopeError} on any mismatch.
 * A format-1 envelope is checked against `formerPlace`: where the value was bound before format 2
 * (by default the same place).
 */
export function open(
  envelope: string,
  keyFor: (version: number) => KeyObject | undefined,
  place: ValuePlace,
  formerPlace: ValuePlace = place,
): string {
  const { format, header, keyVersion, nonce, body, tag } = parse(envelope);
  const key = keyFor(keyVersion);
  if (!key) {
    throw new EnvelopeError('unknown_key');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aadOf(format === 1 ? formerPlace : place, format, header));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new EnvelopeError('not_authentic');
  }
}

function parse(envelope: string): {
  format: number;
  header: Buffer;
  keyVersion: number;
  nonce: Buffer;
  body: Buffer;
  tag: Buffer;
} {
  if (!isEnvelope(envelope)) {
    throw new EnvelopeError('malformed');
  }
  const bytes = Buffer.from(envelope.slice(PREFIX.length), 'base64url');
  if (
    bytes.length < HEADER + TAG ||
    !FORMATS.has(bytes.readUInt8(0)) ||
    bytes.toString('base64url') !== envelope.slice(PREFIX.length)
  ) {
    throw new EnvelopeError('malformed');
  }
  return {
    format: bytes.readUInt8(0),
    header: bytes.subarray(0, HEADER),
    keyVersion: bytes.readUInt32BE(1),
    nonce: bytes.subarray(5, HEADER),
    body: bytes.subarray(HEADER, bytes.length - TAG),
    tag: bytes.subarray(bytes.length - TAG),
  };
}
