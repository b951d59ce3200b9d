import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AccountCiphers, isSealedStream, type AccountCipher } from '@custos/crypto';
import { FileStore, newId } from '@custos/core';
import { SensitiveDataService } from '../../sensitive-data';

/** The key (in the `FileStore`) of the CSV of an import, kept until the import ends. */
export function importFileKey(importId: string): string {
  return `imports/${importId}.csv`;
}

/** Uploads still being received or checked. */
const UPLOADS = 'imports/uploads/';

/** The `purpose` of sealed import files (part of their authenticated place, with the import id). */
const IMPORT_PURPOSE = 'import';

/** An upload as the storage engine leaves it: the import takes its id, so its file is bound to it from the first byte. */
export interface StoredUpload {
  id: string;
  /** Its key in the `FileStore` (below `imports/uploads/`). */
  key: string;
  /** Bytes received (of the CSV itself, not of its sealed form). */
  size: number;
}

/** The storage engine multer calls (its `StorageEngine` contract). */
export interface UploadStorageEngine {
  _handleFile(
    request: object,
    file: { stream: Readable },
    callback: (error: Error | null, info?: StoredUpload) => void,
  ): void;
  _removeFile(
    request: object,
    file: { key?: string },
    callback: (error: Error | null) => void,
  ): void;
}

/**
 * The CSV files of imports at rest, in the server's `FileStore` (so any instance can resume an
 * import): once the account has sensitive data on, sealed with its data key as they are received
 * (never in clear in the store, not even while uploading), bound to the account and the import
 * id, and opened frame by frame as the import reads them.
 */
@Injectable()
export class ImportFiles {
  constructor(
    private readonly store: FileStore,
    private readonly sensitiveData: SensitiveDataService,
    private readonly ciphers: AccountCiphers,
  ) {}

  /** The cipher new uploads of the account are sealed with; `null` while sensitive data is off. */
  async sealerFor(accountId: string): Promise<AccountCipher | null> {
    return (await this.sensitiveData.state(accountId)).enabled
      ? this.ciphers.forAccount(accountId)
      : null;
  }

  /**
   * A multer storage engine writing each upload below `uploads/` under a new id, sealed with the
   * cipher `sealerOf` gives for the request (in clear when it gives `null`).
   */
  storageEngine(sealerOf: (request: object) => AccountCipher | null): UploadStorageEngine {
    return {
      _handleFile: (request, file, callback) => {
        const id = newId();
        const key = `${UPLOADS}${id}`;
        let size = 0;
        const received = (async function* () {
          for await (const chunk of file.stream as AsyncIterable<Buffer>) {
            size += chunk.length;
            yield chunk;
          }
        })();
        const cipher = sealerOf(request);
        const content = cipher
          ? cipher.sealStream(received, { purpose: IMPORT_PURPOSE, id })
          : received;
        this.store.put(key, content).then(
          () => callback(null, { id, key, size }),
          (error: Error) => callback(error),
        );
      },
      _removeFile: (_request, file, callback) => {
        void this.remove(file.key).then(
          () => callback(null),
          (error: Error) => callback(error),
        );
      },
    };
  }

  /** Makes an upload the file of the import that took its id (a rename on disk, a server-side copy on S3). */
  async keepForImport(upload: StoredUpload): Promise<string> {
    const key = importFileKey(upload.id);
    await this.store.move(upload.key, key);
    return key;
  }

  /** Whether the file is (still) stored. */
  async exists(key: string): Promise<boolean> {
    return (await this.store.stat(key)) !== null;
  }

  /** Removes a stored upload or import file; nothing stored is no error. */
  async remove(key: string | undefined): Promise<void> {
    if (key) {
      await this.store.delete(key);
    }
  }

  /**
   * Files no import needs any more, stored before `staleBefore`: uploads that never became an
   * import, and files of imports not in `active` (a crash between the end and the removal). The
   * age spares an import whose row another instance has not committed yet.
   */
  async removeLeftovers(active: ReadonlySet<string>, staleBefore: Date): Promise<void> {
    for await (const file of this.store.list('imports/')) {
      const needed =
        !file.key.startsWith(UPLOADS) &&
        active.has(file.key.slice('imports/'.length, -'.csv'.length));
      if (!needed && file.storedAt < staleBefore) {
        await this.store.delete(file.key);
      }
    }
  }

  /**
   * The CSV of an upload or import, in clear, streamed: a sealed file is opened frame by frame
   * (`EnvelopeError` at a frame that does not), one in clear (stored while sensitive data was
   * off) is read as it is.
   */
  async read(accountId: string, id: string, key: string): Promise<Readable> {
    const stored = await this.store.get(key);
    if (!stored) {
      throw new Error('The import file is not stored');
    }
    const { start, content } = await peek(stored, 5);
    if (!isSealedStream(start)) {
      return Readable.from(content);
    }
    const cipher = await this.ciphers.forAccount(accountId);
    return Readable.from(cipher.openStream(content, { purpose: IMPORT_PURPOSE, id }));
  }
}

/** The first `count` bytes of a stream (fewer if it is shorter), and the whole content still to read. */
async function peek(
  stream: Readable,
  count: number,
): Promise<{ start: Buffer; content: AsyncIterable<Buffer> }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  while (length < count) {
    const next = await iterator.next();
    if (next.done) {
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const start = Buffer.concat(head, length);
  const content = (async function* () {
    if (length > 0) {
      yield start;
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  })();
  return { start: start.subarray(0, count), content };
}
