import { Readable, pipeline } from 'node:stream';
import { crc32, createDeflateRaw } from 'node:zlib';

/** One file of a ZIP archive: its path and its content, produced as the archive is read. */
export interface ZipEntry {
  name: string;
  content: AsyncIterable<Buffer>;
}

/**
 * zlib level 3: about twice as fast as the default 6 on spreadsheet XML and CSV, for files only a few
 * per cent larger (measured by bench/export-writers).
 */
const DEFLATE_LEVEL = 3;
/**
 * Bytes of an entry's text read ahead of zlib, and zlib's output chunks: room for the text of the
 * next rows to be made while zlib (on libuv's threads) compresses the last ones, where the streams'
 * 16 KiB defaults kept the two waiting on each other (bench/export-writers; docs/benchmarks.md).
 */
const DEFLATE_INPUT_BYTES = 256 * 1024;
const DEFLATE_OUTPUT_BYTES = 64 * 1024;
/** Sizes, offsets and counts at or past these no longer fit the classic fields: ZIP64 takes over. */
const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;
/** Bit 3: sizes and CRC follow the data (a data descriptor); bit 11: names are UTF-8. */
const FLAGS = 0x0808;
const DEFLATED = 8;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;

interface CentralRecord {
  name: Buffer;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** Internal options of {@link zipArchive} (not part of the lib's API). */
export interface ZipOptions {
  /**
   * Entries from which the ZIP64 end records are written: 65,535 (the classic count field's limit).
   * Only tests lower it, to prove the ZIP64 end records without deflating 65,535 entries.
   */
  zip64FromEntries?: number;
}

/**
 * A streaming ZIP writer (APPNOTE 6.3): each entry is deflated as its content arrives, behind a local
 * header with a data descriptor (sizes and CRC-32 after the data), so nothing but the central directory
 * (a few dozen bytes per entry) is held in memory. ZIP64 records are written where an entry, an offset
 * or the archive passes 4 GiB or the archive holds 65,535 entries or more, as Go's archive/zip does for
 * streamed entries: the local header cannot know, so readers use the central directory.
 *
 * The archive is pulled: an entry's content and the next entry are read only when the consumer asks
 * for more bytes. Stopping early (`return()`) stops the entries and their contents.
 */
export async function* zipArchive(
  entries: AsyncIterable<ZipEntry>,
  modified = new Date(),
  options: ZipOptions = {},
): AsyncGenerator<Buffer> {
  const { time, date } = dosDateTime(modified);
  const central: CentralRecord[] = [];
  let offset = 0;
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const header = localHeader(name, time, date);
    yield header;
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const content = entry.content[Symbol.asyncIterator]();
    const measured = (async function* (): AsyncGenerator<Buffer> {
      for (let piece = await content.next(); !piece.done; piece = await content.next()) {
        crc = crc32(piece.value, crc);
        size += piece.value.length;
        yield piece.value;
      }
    })();
    // An error in the content or in zlib destroys both streams and rejects the loop below.
    const deflated = pipeline(
      Readable.from(measured, { objectMode: false, highWaterMark: DEFLATE_INPUT_BYTES }),
      createDeflateRaw({ level: DEFLATE_LEVEL, chunkSize: DEFLATE_OUTPUT_BYTES }),
      () => undefined,
    );
    try {
      for await (const chunk of deflated) {
        compressedSize += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } finally {
      // Destroying the streams closes the content too, but later (and not when it never started):
      // a consumer that stops reading gets the content closed before its return() resolves.
      await measured.return(undefined);
      await content.return?.();
    }
    const descriptor = dataDescriptor(crc, compressedSize, size);
    yield descriptor;
    central.push({ name, crc, compressedSize, size, offset });
    offset += header.length + compressedSize + descriptor.length;
  }
  yield* centralDirectory(central, offset, time, date, options.zip64FromEntries ?? MAX_16);
}

function localHeader(name: Buffer, time: number, date: number): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_DEFAULT, 4);
  header.writeUInt16LE(FLAGS, 6);
  header.writeUInt16LE(DEFLATED, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  // CRC-32 and sizes (14–25) stay zero: they are in the data descriptor.
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, name]);
}

/** Sizes on 8 bytes when either passes 4 GiB (the ZIP64 form), on 4 otherwise. */
function dataDescriptor(crc: number, compressedSize: number, size: number): Buffer {
  const zip64 = compressedSize >= MAX_32 || size >= MAX_32;
  const descriptor = Buffer.alloc(zip64 ? 24 : 16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc, 4);
  if (zip64) {
    descriptor.writeBigUInt64LE(BigInt(compressedSize), 8);
    descriptor.writeBigUInt64LE(BigInt(size), 16);
  } else {
    descriptor.writeUInt32LE(compressedSize, 8);
    descriptor.writeUInt32LE(size, 12);
  }
  return descriptor;
}

function* centralDirectory(
  records: CentralRecord[],
  start: number,
  time: number,
  date: number,
  zip64FromEntries: number,
): Generator<Buffer> {
  let length = 0;
  let pending: Buffer[] = [];
  let pendingLength = 0;
  for (const record of records) {
    const entry = centralHeader(record, time, date);
    length += entry.length;
    pending.push(entry);
    pendingLength += entry.length;
    if (pendingLength >= 64 * 1024) {
      yield Buffer.concat(pending);
      pending = [];
      pendingLength = 0;
    }
  }
  if (pending.length > 0) {
    yield Buffer.concat(pending);
  }
  const manyEntries = records.length >= zip64FromEntries;
  const zip64 = manyEntries || start >= MAX_32 || length >= MAX_32;
  if (zip64) {
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(0x06064b50, 0);
    end64.writeBigUInt64LE(44n, 4); // size of the rest of this record
    end64.writeUInt16LE(VERSION_ZIP64, 12);
    end64.writeUInt16LE(VERSION_ZIP64, 14);
    // this disk and the central directory's disk (16–23) are 0
    end64.writeBigUInt64LE(BigInt(records.length), 24);
    end64.writeBigUInt64LE(BigInt(records.length), 32);
    end64.writeBigUInt64LE(BigInt(length), 40);
    end64.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(start + length), 8);
    locator.writeUInt32LE(1, 16); // one disk
    yield Buffer.concat([end64, locator]);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  // Past the limit the classic counts say 0xFFFF: readers take the count from the ZIP64 record.
  const classicCount = manyEntries ? MAX_16 : records.length;
  end.writeUInt16LE(classicCount, 8);
  end.writeUInt16LE(classicCount, 10);
  end.writeUInt32LE(Math.min(length, MAX_32), 12);
  end.writeUInt32LE(Math.min(start, MAX_32), 16);
  yield end;
}

function centralHeader(record: CentralRecord, time: number, date: number): Buffer {
  // The ZIP64 extra field holds, in this order, only the values too large for their classic field.
  const large = [record.size, record.compressedSize, record.offset].filter((n) => n >= MAX_32);
  const extra = Buffer.alloc(large.length > 0 ? 4 + 8 * large.length : 0);
  if (large.length > 0) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * large.length, 2);
    large.forEach((n, i) => extra.writeBigUInt64LE(BigInt(n), 4 + 8 * i));
  }
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_ZIP64, 4); // made by: MS-DOS attributes, spec 4.5
  header.writeUInt16LE(large.length > 0 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  header.writeUInt16LE(FLAGS, 8);
  header.writeUInt16LE(DEFLATED, 10);
  header.writeUInt16LE(time, 12);
  header.writeUInt16LE(date, 14);
  header.writeUInt32LE(record.crc, 16);
  header.writeUInt32LE(Math.min(record.compressedSize, MAX_32), 20);
  header.writeUInt32LE(Math.min(record.size, MAX_32), 24);
  header.writeUInt16LE(record.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  // comment length, disk, internal and external attributes (32–41) are 0
  header.writeUInt32LE(Math.min(record.offset, MAX_32), 42);
  return Buffer.concat([header, record.name, extra]);
}

/** MS-DOS date and time (local time, 2-second precision; 1980 at the earliest). */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.max(at.getFullYear(), 1980);
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}
