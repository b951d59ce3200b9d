import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readZip } from './testing/read-zip';
import { zipArchive, type ZipEntry } from './zip-writer';

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function archive(entries: AsyncIterable<ZipEntry>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zipArchive(entries)) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

describe('zipArchive', () => {
  it('writes entries a strict reader gives back byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
            pieces: fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 4 }),
          }),
          { maxLength: 5 },
        ),
        async (files) => {
          const written = await archive(
            from(
              files.map((f) => ({
                name: f.name,
                content: from(f.pieces.map((p) => Buffer.from(p))),
              })),
            ),
          );
          const read = readZip(written);
          expect(read.files.map((f) => [f.name, f.content])).toEqual(
            files.map((f) => [f.name, Buffer.concat(f.pieces.map((p) => Buffer.from(p)))]),
          );
          expect(read.zip64).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('compresses large incompressible and compressible content in many chunks', async () => {
    const noise = randomBytes(3 * 1024 * 1024);
    const text = Buffer.from('<row><c t="n"><v>1</v></c></row>'.repeat(100_000));
    const chunks = (b: Buffer) =>
      from([0, 1, 2, 3].map((i) => b.subarray((i * b.length) / 4, ((i + 1) * b.length) / 4)));
    const read = readZip(
      await archive(
        from([
          { name: 'noise.bin', content: chunks(noise) },
          { name: 'sheet.xml', content: chunks(text) },
        ]),
      ),
    );
    expect(read.files.map((f) => f.name)).toEqual(['noise.bin', 'sheet.xml']);
    expect(read.files[0].content.equals(noise)).toBe(true);
    expect(read.files[1].content.equals(text)).toBe(true);
  });

  // The ZIP64 end records from a lowered entry count: deflating 65,535 entries takes a minute.
  it('ends with ZIP64 records from the entry count on, the classic counts saying 0xFFFF', async () => {
    const count = 5;
    const entries = (n: number) =>
      (async function* () {
        for (let i = 0; i < n; i++) {
          yield { name: `${i}.txt`, content: from([Buffer.from(String(i))]) };
        }
      })();
    const collect = async (n: number) => {
      const chunks: Buffer[] = [];
      for await (const chunk of zipArchive(entries(n), new Date(), { zip64FromEntries: count })) {
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    };
    const below = readZip(await collect(count - 1));
    expect(below.zip64).toBe(false);
    expect(below.files).toHaveLength(count - 1);

    const written = await collect(count);
    // The classic end record's counts (8–11 of its 22 bytes) defer to the ZIP64 record.
    expect(written.readUInt16LE(written.length - 22 + 8)).toBe(0xffff);
    expect(written.readUInt16LE(written.length - 22 + 10)).toBe(0xffff);
    const read = readZip(written);
    expect(read.zip64).toBe(true);
    expect(read.files.map((f) => [f.name, f.content.toString()])).toEqual(
      Array.from({ length: count }, (_, i) => [`${i}.txt`, String(i)]),
    );
  });

  it('fails when an entry content fails', async () => {
    const failing = (async function* () {
      yield Buffer.from('a');
      throw new Error('source failed');
    })();
    await expect(archive(from([{ name: 'a', content: failing }]))).rejects.toThrow('source failed');
  });

  it('stops reading entries and contents when the consumer stops', async () => {
    let pulled = 0;
    let closed = false;
    const content = (async function* () {
      try {
        for (;;) {
          pulled += 1;
          yield randomBytes(64 * 1024);
        }
      } finally {
        closed = true;
      }
    })();
    const zip = zipArchive(from([{ name: 'endless', content }]));
    for (let chunk = 0; chunk < 3; chunk++) {
      await zip.next();
    }
    await zip.return(undefined);
    expect(closed).toBe(true);
    expect(pulled).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(10);
  });
});
