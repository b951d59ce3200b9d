import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { BlobPlace } from './binary-envelope';
import { EnvelopeError } from './envelope';
import { SEALED_STREAM_CHUNK_BYTES, isSealedStream, openStream, sealStream } from './sealed-stream';

const key = { version: 2, key: createSecretKey(randomBytes(32)) };
const keyFor = (version: number) => (version === key.version ? key.key : undefined);
const place: BlobPlace = { accountId: 'acc-1', purpose: 'import', id: 'imp-1' };

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) {
    yield bytes.subarray(start, start + size);
  }
}

const sealed = (bytes: Buffer, at = place) => collect(sealStream(pieces(bytes, 1000), key, at));
const opened = (bytes: Buffer, at = place) => collect(openStream(pieces(bytes, 777), keyFor, at));

/** Offsets of the frames of a sealed stream (after its 5-byte header). */
function frameOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 5; at < bytes.length; at += 4 + bytes.readUInt32BE(at)) {
    offsets.push(at);
  }
  return offsets;
}

describe(sealStream.name, () => {
  const content = randomBytes(SEALED_STREAM_CHUNK_BYTES * 2 + 123);

  it('round-trips any bytes, however they are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        async (bytes, size) => {
          const input = Buffer.from(bytes);
          const output = await collect(sealStream(pieces(input, size), key, place));
          expect(isSealedStream(output)).toBe(true);
          await expect(opened(output)).resolves.toEqual(input);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('round-trips a stream of several frames', async () => {
    const output = await sealed(content);
    expect(frameOffsets(output)).toHaveLength(3);
    await expect(opened(output)).resolves.toEqual(content);
  });

  it('refuses a stream cut after a whole frame', async () => {
    const output = await sealed(content);
    await expect(opened(output.subarray(0, frameOffsets(output)[2]))).rejects.toBeInstanceOf(
      EnvelopeError,
    );
  });

  it('refuses frames in another order', async () => {
    const output = await sealed(content);
    const [first, second, third] = frameOffsets(output);
    const reordered = Buffer.concat([
      output.subarray(0, first),
      output.subarray(second, third),
      output.subarray(first, second),
      output.subarray(third),
    ]);
    await expect(opened(reordered)).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('refuses anything after the last frame', async () => {
    const output = await sealed(content);
    const [first, second] = frameOffsets(output);
    await expect(
      opened(Buffer.concat([output, output.subarray(first, second)])),
    ).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('refuses a stream moved to another place', async () => {
    await expect(opened(await sealed(content), { ...place, id: 'imp-2' })).rejects.toBeInstanceOf(
      EnvelopeError,
    );
  });

  it('refuses bytes in clear', async () => {
    await expect(opened(Buffer.from('Email,Name\na@b.c,A\n'))).rejects.toBeInstanceOf(
      EnvelopeError,
    );
  });
});
