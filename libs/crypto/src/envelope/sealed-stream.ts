import type { KeyObject } from 'node:crypto';
import { openBytes, sealBytes, type BlobPlace } from './binary-envelope';
import { EnvelopeError, type DataKey, type KeyScope } from './envelope';

/** `CXS`, NUL (no text file starts so), format 1: a sealed stream, as opposed to a file in clear. */
const MAGIC = Buffer.from('CXS\u0000\u0001', 'latin1');
/** Plaintext bytes per frame: what is held in memory at once on either side. */
export const SEALED_STREAM_CHUNK_BYTES = 64 * 1024;
const LENGTH = 4;
const MORE = 0;
const LAST = 1;

function framePlace(place: BlobPlace, index: number): BlobPlace {
  return { ...place, id: `${place.id}#${index}` };
}

/**
 * Seals a stream of any length chunk by chunk: `CXS\0\x01`, then frames of uint32 length ‖ binary
 * envelope of (last-frame flag ‖ up to 64 KiB). Each frame is bound to the place and its index,
 * and the last one says so: reordered, dropped or cut-off frames do not open.
 */
export async function* sealStream(
  source: AsyncIterable<Uint8Array>,
  dataKey: DataKey,
  place: BlobPlace,
): AsyncGenerator<Buffer> {
  yield MAGIC;
  let index = 0;
  const frame = (flag: number, data: Buffer): Buffer => {
    const envelope = sealBytes(
      Buffer.concat([Buffer.from([flag]), data]),
      dataKey,
      framePlace(place, index),
    );
    index += 1;
    const length = Buffer.alloc(LENGTH);
    length.writeUInt32BE(envelope.length);
    return Buffer.concat([length, envelope]);
  };
  // Small chunks are gathered, not concatenated one by one: copying stays linear in the size.
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  for await (const chunk of source) {
    gathered.push(chunk);
    gatheredBytes += chunk.length;
    if (gatheredBytes <= SEALED_STREAM_CHUNK_BYTES) {
      continue;
    }
    let data = Buffer.concat(gathered);
    while (data.length > SEALED_STREAM_CHUNK_BYTES) {
      yield frame(MORE, data.subarray(0, SEALED_STREAM_CHUNK_BYTES));
      data = data.subarray(SEALED_STREAM_CHUNK_BYTES);
    }
    gathered = [data];
    gatheredBytes = data.length;
  }
  yield frame(LAST, Buffer.concat(gathered));
}

/** Whether bytes start like a sealed stream (checks the layout, not authenticity). */
export function isSealedStream(start: Uint8Array): boolean {
  return Buffer.from(start.buffer, start.byteOffset, start.byteLength)
    .subarray(0, MAGIC.length)
    .equals(MAGIC);
}

/**
 * The plaintext of a {@link sealStream}, chunk by chunk; throws {@link EnvelopeError} at the first
 * frame that does not open, and when the stream ends before its last frame or goes on after it.
 */
export async function* openStream(
  source: AsyncIterable<Uint8Array>,
  keyFor: (version: number, scope: KeyScope) => KeyObject | undefined,
  place: BlobPlace,
): AsyncGenerator<Buffer> {
  let buffered = Buffer.alloc(0);
  let started = false;
  let index = 0;
  let ended = false;
  for await (const chunk of source) {
    buffered = Buffer.concat([buffered, chunk]);
    if (!started) {
      if (buffered.length < MAGIC.length) {
        continue;
      }
      if (!isSealedStream(buffered)) {
        throw new EnvelopeError('malformed');
      }
      buffered = buffered.subarray(MAGIC.length);
      started = true;
    }
    while (buffered.length >= LENGTH) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < LENGTH + length) {
        break;
      }
      if (ended) {
        throw new EnvelopeError('malformed');
      }
      const plaintext = openBytes(
        buffered.subarray(LENGTH, LENGTH + length),
        keyFor,
        framePlace(place, index),
      );
      buffered = buffered.subarray(LENGTH + length);
      index += 1;
      ended = plaintext[0] === LAST;
      if (plaintext.length > 1) {
        yield plaintext.subarray(1);
      }
    }
  }
  if (!ended || buffered.length > 0) {
    throw new EnvelopeError('malformed');
  }
}
