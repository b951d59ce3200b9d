import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { NonceSource } from './nonce-source';

/**
 * Format version new envelopes are written in. Format 2 binds {@link ValuePlace.entry} and the
 * envelope's header; format 1 (the place without `entry`) is still opened, at the caller's
 * `formerPlace`, until a key rotation seals the value again.
 */
export const ENVELOPE_VERSION = 2;
/**
 * Format of envelopes sealed under a data subject's own key ({@link DataKey.scope} `subject`):
 * format 2's layout, the key version field holding the subject key's generation, and the subject
 * ({@link ValuePlace.subject}) bound too. Destroying the subject's key makes them unopenable.
 */
export const SUBJECT_ENVELOPE_VERSION = 3;
const FORMATS: ReadonlySet<number> = new Set([1, ENVELOPE_VERSION, SUBJECT_ENVELOPE_VERSION]);
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
  /**
   * The person (or other data subject) the value is about, e.g. `{ kind: 'contact', id }`: a value
   * with a subject is sealed under that subject's key and bound to it; without one, under the
   * account's key. Ignored by formats 1 and 2 (sealed before subjects had keys).
   */
  subject?: DataSubject;
}

/** Whose personal data a value is: a kind (`contact`, …) and that subject's id in the account. */
export interface DataSubject {
  readonly kind: string;
  readonly id: string;
}

/** Which key sealed an envelope: the account's data key, or a data subject's own key. */
export type KeyScope = 'account' | 'subject';

/** A data key and its version number (stored in every envelope it seals). */
export interface DataKey {
  /** The account key's version, or a subject key's generation. */
  version: number;
  key: KeyObject;
  /** `subject`: a data subject's key, sealing in {@link SUBJECT_ENVELOPE_VERSION}. Default `account`. */
  scope?: KeyScope;
}

/** Why a value cannot be opened. */
export type EnvelopeErrorReason = 'malformed' | 'unknown_key' | 'not_authentic' | 'subject_erased';

/** Thrown when a value cannot be opened: tampered, moved to another place, or sealed by an unknown key. */
export class EnvelopeError extends Error {
  constructor(readonly reason: EnvelopeErrorReason) {
    super(`The encrypted value cannot be opened (${reason.replace('_', ' ')}).`);
    this.name = 'EnvelopeError';
  }
}

/**
 * Thrown when a value was sealed under a data subject's key that has been destroyed (the subject
 * was erased): no copy of it — in a backup, a replica or an old row — opens any more. Show the
 * value as erased; it is not an error of the request.
 */
export class SubjectErasedError extends EnvelopeError {
  constructor() {
    super('subject_erased');
    this.name = 'SubjectErasedError';
  }
}

/**
 * The additional authenticated data of a value at `place`: the place as a JSON array (a
 * length-safe encoding: no two different places share an AAD), then — since format 2 — the
 * envelope's header (its first {@link HEADER} bytes, taken from `bytes`).
 */
function aadOf(place: ValuePlace, format: number, bytes: Buffer): Buffer {
  if (format === 1) {
    return Buffer.from(
      JSON.stringify([place.accountId, place.table, place.column, place.recordId]),
      'utf8',
    );
  }
  const text =
    format === SUBJECT_ENVELOPE_VERSION
      ? JSON.stringify([
          'custos/subject-value/3',
          place.accountId,
          place.subject!.kind,
          place.subject!.id,
          place.table,
          place.column,
          place.recordId,
          place.entry ?? null,
        ])
      : JSON.stringify([
          'custos/value/2',
          place.accountId,
          place.table,
          place.column,
          place.recordId,
          place.entry ?? null,
        ]);
  // Written into one scratch buffer, neither concatenated nor allocated per value (an export
  // opens three values a row): `setAAD` digests it at once and keeps no reference to it.
  if (scratch.length < text.length * 3 + HEADER) {
    scratch = Buffer.alloc(text.length * 3 + HEADER);
  }
  const length = scratch.write(text, 0, 'utf8');
  bytes.copy(scratch, length, 0, HEADER);
  return scratch.subarray(0, length + HEADER);
}

let scratch = Buffer.alloc(1024);

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `text` is the one base64url encoding (unpadded) of some bytes — what decoding then
 * encoding again gives back unchanged, without the second encoding: base64url characters only,
 * a length that bytes can have, and the last character's unused bits zero.
 */
export function isCanonicalBase64url(text: string): boolean {
  const rest = text.length % 4;
  if (rest === 1 || !/^[\w-]*$/.test(text)) {
    return false;
  }
  return rest === 0 || (BASE64URL.indexOf(text[text.length - 1]) & (rest === 2 ? 15 : 3)) === 0;
}

const nonces = new NonceSource();

/**
 * AES-256-GCM with a fresh 96-bit nonce per value, in a self-describing envelope:
 * `cx1.` + base64url(format ‖ key version (uint32) ‖ nonce ‖ ciphertext ‖ tag). The place of the
 * value is authenticated, so a ciphertext copied to another row, field, entry or account does not open.
 */
export function seal(plaintext: string, dataKey: DataKey, place: ValuePlace): string {
  if (dataKey.scope === 'subject') {
    if (!place.subject) {
      throw new Error(
        `A subject key seals only values of a subject: ${place.table}.${place.column} names none.`,
      );
    }
    return sealInFormat(SUBJECT_ENVELOPE_VERSION, plaintext, dataKey, place);
  }
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

/** Whether an envelope was sealed under the account's key or a data subject's, or throws `malformed`. */
export function keyScopeOf(envelope: string): KeyScope {
  return parse(envelope).format === SUBJECT_ENVELOPE_VERSION ? 'subject' : 'account';
}

/** Whether a stored value is an envelope (as opposed to a legacy plaintext value). */
export function isEnvelope(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * Opens an envelope with the key of its version; throws {@link EnvelopeError} on any mismatch.
 * A format-1 envelope is checked against `formerPlace`: where the value was bound before format 2
 * (by default the same place). `keyFor` is asked for the account's key of a version, or (format 3)
 * for the key of `place.subject` of a generation — it throws {@link SubjectErasedError} when that
 * key was destroyed.
 */
export function open(
  envelope: string,
  keyFor: (version: number, scope: KeyScope) => KeyObject | undefined,
  place: ValuePlace,
  formerPlace: ValuePlace = place,
): string {
  const bytes = bytesOf(envelope);
  const format = bytes[0];
  const scope: KeyScope = format === SUBJECT_ENVELOPE_VERSION ? 'subject' : 'account';
  // A subject's value found where no subject is (e.g. copied into another table) has no key.
  const key =
    scope === 'subject' && !place.subject ? undefined : keyFor(bytes.readUInt32BE(1), scope);
  if (!key) {
    throw new EnvelopeError('unknown_key');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(5, HEADER));
    decipher.setAAD(aadOf(format === 1 ? formerPlace : place, format, bytes));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
    const text = decipher.update(bytes.subarray(HEADER, bytes.length - TAG));
    // `final` checks the tag; GCM, a stream mode, has no bytes left to give there.
    const rest = decipher.final();
    return (rest.length === 0 ? text : Buffer.concat([text, rest])).toString('utf8');
  } catch {
    throw new EnvelopeError('not_authentic');
  }
}

/** The bytes of an envelope in its one canonical encoding, of a known format, or throws `malformed`. */
function bytesOf(envelope: string): Buffer {
  if (!isEnvelope(envelope)) {
    throw new EnvelopeError('malformed');
  }
  const text = envelope.slice(PREFIX.length);
  if (!isCanonicalBase64url(text)) {
    throw new EnvelopeError('malformed');
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < HEADER + TAG || !FORMATS.has(bytes[0])) {
    throw new EnvelopeError('malformed');
  }
  return bytes;
}

function parse(envelope: string): { format: number; keyVersion: number } {
  const bytes = bytesOf(envelope);
  return { format: bytes[0], keyVersion: bytes.readUInt32BE(1) };
}
