import { Inject, Injectable } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AccountCiphers, isSealedStream, type AccountCipher } from '@custos/crypto';
import { newId } from '@custos/core';
import { SensitiveDataService } from '../../sensitive-data/sensitive-data.service';
import { IMPORTS_MODULE_OPTIONS, type ImportsModuleOptions } from './imports.module-definition';

/** Where the CSV of an import is kept until the import ends. */
export function importFilePath(directory: string, importId: string): string {
  return join(directory, `${importId}.csv`);
}

/** Folder of uploads still being received or checked. */
export function uploadsDirectory(directory: string): string {
  return join(directory, 'uploads');
}

/** The `purpose` of sealed import files (part of their authenticated place, with the import id). */
const IMPORT_PURPOSE = 'import';

/** An upload as the storage engine leaves it: the import takes its id, so its file is bound to it from the first byte. */
export interface StoredUpload {
  id: string;
  path: string;
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
    file: { path?: string },
    callback: (error: Error | null) => void,
  ): void;
}

/**
 * The CSV files of imports at rest: once the account has sensitive data on, sealed with its data
 * key as they are received (never in clear on disk, not even while uploading), bound to the
 * account and the import id, and opened frame by frame as the import reads them.
 */
@Injectable()
export class ImportFiles {
  constructor(
    @Inject(IMPORTS_MODULE_OPTIONS) private readonly options: ImportsModuleOptions,
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
    const directory = uploadsDirectory(this.options.directory);
    return {
      _handleFile: (request, file, callback) => {
        const id = newId();
        const path = join(directory, id);
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
        mkdir(directory, { recursive: true })
          .then(() => pipeline(content, createWriteStream(path, { mode: 0o600 })))
          .then(
            () => callback(null, { id, path, size }),
            (error: Error) => {
              void rm(path, { force: true }).finally(() => callback(error));
            },
          );
      },
      _removeFile: (_request, file, callback) => {
        void rm(file.path ?? '', { force: true }).then(
          () => callback(null),
          (error: Error) => callback(error),
        );
      },
    };
  }

  /**
   * The CSV of an upload or import, in clear, streamed: a sealed file is opened frame by frame
   * (`EnvelopeError` at a frame that does not), one in clear (stored while sensitive data was
   * off) is read as it is.
   */
  async read(accountId: string, id: string, path: string): Promise<Readable> {
    const start = await firstBytes(path, 5);
    if (!isSealedStream(start)) {
      return createReadStream(path);
    }
    const cipher = await this.ciphers.forAccount(accountId);
    return Readable.from(
      cipher.openStream(createReadStream(path), { purpose: IMPORT_PURPOSE, id }),
    );
  }
}

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: count - 1 })) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, length);
}
