import { crc32, inflateRawSync } from 'node:zlib';

/** A file read back from an archive, with what its headers said. */
export interface ZipFileRead {
  name: string;
  content: Buffer;
  /** Whether the central directory needed ZIP64 fields for this entry. */
  zip64: boolean;
}

export interface ZipRead {
  files: ZipFileRead[];
  /** Whether the archive ends with a ZIP64 end of central directory record. */
  zip64: boolean;
}

/**
 * A strict ZIP reader for tests (not for untrusted input): reads the central directory (ZIP64 too),
 * then each entry's local header, inflates its data, and checks CRC-32 and sizes against the central
 * directory and the data descriptor. Throws on any inconsistency.
 */
export function readZip(archive: Buffer): ZipRead {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0 || endAt + 22 !== archive.length) {
    throw new Error('no end of central directory record at the end of the archive');
  }
  let count = archive.readUInt16LE(endAt + 10);
  let directorySize = archive.readUInt32LE(endAt + 12);
  let directoryAt = archive.readUInt32LE(endAt + 16);
  const zip64 = endAt >= 20 && archive.readUInt32LE(endAt - 20) === 0x07064b50;
  if (zip64) {
    const end64At = Number(archive.readBigUInt64LE(endAt - 20 + 8));
    expectSignature(archive, end64At, 0x06064b50, 'ZIP64 end of central directory');
    count = Number(archive.readBigUInt64LE(end64At + 32));
    directorySize = Number(archive.readBigUInt64LE(end64At + 40));
    directoryAt = Number(archive.readBigUInt64LE(end64At + 48));
    if (end64At !== directoryAt + directorySize) {
      throw new Error('the ZIP64 end record does not follow the central directory');
    }
  } else if (directoryAt + directorySize !== endAt) {
    throw new Error('the end record does not follow the central directory');
  }
  const files: ZipFileRead[] = [];
  let at = directoryAt;
  for (let i = 0; i < count; i++) {
    expectSignature(archive, at, 0x02014b50, 'central directory header');
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    let compressedSize = archive.readUInt32LE(at + 20);
    let size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    let offset = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const extra = archive.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const entryZip64 = extra.length >= 4 && extra.readUInt16LE(0) === 0x0001;
    if (entryZip64) {
      let field = 4;
      const next = () => Number(extra.readBigUInt64LE((field += 8) - 8));
      size = size === 0xffffffff ? next() : size;
      compressedSize = compressedSize === 0xffffffff ? next() : compressedSize;
      offset = offset === 0xffffffff ? next() : offset;
    }
    if (method !== 8 || (flags & 0x0808) !== 0x0808) {
      throw new Error(`${name}: expected deflate, a data descriptor and UTF-8 names`);
    }
    expectSignature(archive, offset, 0x04034b50, `local header of ${name}`);
    const localNameLength = archive.readUInt16LE(offset + 26);
    const localExtraLength = archive.readUInt16LE(offset + 28);
    if (archive.toString('utf8', offset + 30, offset + 30 + localNameLength) !== name) {
      throw new Error(`${name}: the local header names another file`);
    }
    const dataAt = offset + 30 + localNameLength + localExtraLength;
    const content = inflateRawSync(archive.subarray(dataAt, dataAt + compressedSize));
    if (content.length !== size || crc32(content) !== crc) {
      throw new Error(`${name}: size or CRC-32 differs from the central directory`);
    }
    const descriptorAt = dataAt + compressedSize;
    expectSignature(archive, descriptorAt, 0x08074b50, `data descriptor of ${name}`);
    const wide = compressedSize >= 0xffffffff || size >= 0xffffffff;
    const described = wide
      ? [archive.readBigUInt64LE(descriptorAt + 8), archive.readBigUInt64LE(descriptorAt + 16)]
      : [archive.readUInt32LE(descriptorAt + 8), archive.readUInt32LE(descriptorAt + 12)];
    if (
      archive.readUInt32LE(descriptorAt + 4) !== crc ||
      Number(described[0]) !== compressedSize ||
      Number(described[1]) !== size
    ) {
      throw new Error(`${name}: the data descriptor differs from the central directory`);
    }
    files.push({ name, content, zip64: entryZip64 });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (at !== directoryAt + directorySize) {
    throw new Error('the central directory is not the size the end record says');
  }
  return { files, zip64 };
}

function expectSignature(archive: Buffer, at: number, signature: number, what: string): void {
  if (at < 0 || at + 4 > archive.length || archive.readUInt32LE(at) !== signature) {
    throw new Error(`no ${what} at offset ${at}`);
  }
}
