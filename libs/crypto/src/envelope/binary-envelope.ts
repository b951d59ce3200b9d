import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { EnvelopeError, type DataKey, type DataSubject, type KeyScope } from './envelope';
import { NonceSource } from './nonce-source';

/**
 * Format version new binary envelopes are written in. Format 2 binds {@link BlobPlace.owner};
 * format 1 (the place without it) is still opened, at the caller's `formerPlace`.
 */
export const BINARY_ENVELOPE_VERSION = 2;
/**
 * Format of blobs sealed under their holder's own key ({@link BlobPlace.holder}): format 2's
 * layout, the key-version field holding the holder key's generation, the holder bound too.
 * Destroying the holder's key makes every copy of the blob unopenable.
 */
export const HOLDER_BINARY_ENVELOPE_VERSION = 3;
const FORMATS: ReadonlySet<number> = new Set([
  1,
  BINARY_ENVELOPE_VERSION,
  HOLDER_BINARY_ENVELOPE_VERSION,
]);
const MAGIC = Buffer.from('CXB', 'ascii');
const HEADER = MAGIC.length + 1 + 4 + 12; // magic, version, key version, nonce
const TAG = 16;

/** Where a sealed blob belongs; bound into the ciphertext as additional authenticated data. */
export interface BlobPlace {
  accountId: string;
  /** What the blob is, e.g. `attachment`. */
  purpose: string;
  /** The id of the thing the blob is the content of. */
  id: string;
  /** What that thing belongs to, e.g. the record an attachment is of (`contacts/<id>`). Bound since format 2. */
  owner?: string;
  /**
   * Whose own key seals the blob (format 3): a data subject (`contact`), or the file itself
   * (`file`, see `fileKeyHolder`). Absent: the account's key.
   */
  holder?: DataSubject;
}

function aadOf(place: BlobPlace, format: number, header: Buffer): Buffer {
  // The domain keeps a blob from ever opening as a string envelope's value (and vice versa); the
  // header is authenticated too, so no byte of the envelope can change unnoticed.
  const parts =
    format === 1
      ? ['custos/blob', place.accountId, place.purpose, place.id]
      : format === BINARY_ENVELOPE_VERSION
        ? ['custos/blob/2', place.accountId, place.purpose, place.id, place.owner ?? null]
        : [
            'custos/blob/3',
            place.accountId,
            place.purpose,
            place.id,
            place.owner ?? null,
            place.holder?.kind ?? null,
            place.holder?.id ?? null,
          ];
  return Buffer.concat([Buffer.from(JSON.stringify(parts), 'utf8'), header]);
}

const nonces = new NonceSource();

/**
 * AES-256-GCM over bytes (files), with a fresh 96-bit nonce per blob:
 * `CXB` ‖ format ‖ key version (uint32) ‖ nonce ‖ ciphertext ‖ tag. The place (account, purpose,
 * id, owner) is authenticated, so a blob copied to another attachment, record or account does not open.
 */
export function sealBytes(plaintext: Uint8Array, dataKey: DataKey, place: BlobPlace): Buffer {
  if (dataKey.scope === 'subject') {
    if (!place.holder) {
      throw new Error('A blob sealed under a holder key needs its place to name the holder');
    }
    return sealBytesInFormat(HOLDER_BINARY_ENVELOPE_VERSION, plaintext, dataKey, place);
  }
  return sealBytesInFormat(BINARY_ENVELOPE_VERSION, plaintext, dataKey, place);
}

/** {@link sealBytes} in a given format: format 1 only to test that older envelopes still open. */
export function sealBytesInFormat(
  format: number,
  plaintext: Uint8Array,
  dataKey: DataKey,
  place: BlobPlace,
): Buffer {
  const nonce = nonces.next();
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt8(format, MAGIC.length);
  header.writeUInt32BE(dataKey.version, MAGIC.length + 1);
  nonce.copy(header, MAGIC.length + 5);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(aadOf(place, format, header));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Whether stored bytes are a binary envelope (checks the layout, not authenticity). */
export function isSealedBytes(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (
    buffer.length >= HEADER + TAG &&
    buffer.subarray(0, MAGIC.length).equals(MAGIC) &&
    FORMATS.has(buffer.readUInt8(MAGIC.length))
  );
}

/** The key version a binary envelope was sealed with (for rotation), or throws `malformed`. */
export function keyVersionOfBytes(envelope: Uint8Array): number {
  return parse(envelope).keyVersion;
}

/**
 * Opens a binary envelope with the key of its version; throws {@link EnvelopeError} on any
 * mismatch. Nothing of the plaintext is returned unless the whole envelope is authentic. A
 * format-1 envelope is checked against `formerPlace` (by default the same place). `keyFor` is
 * asked for the account's key of a version, or (format 3) the holder's key of a generation.
 */
export function openBytes(
  envelope: Uint8Array,
  keyFor: (version: number, scope: KeyScope) => KeyObject | undefined,
  place: BlobPlace,
  formerPlace: BlobPlace = place,
): Buffer {
  const { format, header, keyVersion, nonce, body, tag } = parse(envelope);
  const scope: KeyScope = format === HOLDER_BINARY_ENVELOPE_VERSION ? 'subject' : 'account';
  const key = scope === 'subject' && !place.holder ? undefined : keyFor(keyVersion, scope);
  if (!key) {
    throw new EnvelopeError('unknown_key');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aadOf(format === 1 ? formerPlace : place, format, header));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new EnvelopeError('not_authentic');
  }
}

function parse(envelope: Uint8Array): {
  format: number;
  header: Buffer;
  keyVersion: number;
  nonce: Buffer;
  body: Buffer;
  tag: Buffer;
} {
  if (!isSealedBytes(envelope)) {
    throw new EnvelopeError('malformed');
  }
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  return {
    format: bytes.readUInt8(MAGIC.length),
    header: bytes.subarray(0, HEADER),
    keyVersion: bytes.readUInt32BE(MAGIC.length + 1),
    nonce: bytes.subarray(MAGIC.length + 5, HEADER),
    body: bytes.subarray(HEADER, bytes.length - TAG),
    tag: bytes.subarray(bytes.length - TAG),
  };
}
