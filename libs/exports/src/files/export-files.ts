import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FileStore } from '@custos/core';
import { AccountCiphers, isSealedStream, type AccountCipher } from '@custos/crypto';
import { EXPORT_PURPOSE, ExportFileKeys, exportFileHolder } from './export-file-keys';

const PREFIX = 'exports/';
/** Bytes that tell a sealed stream from a file in clear (see `isSealedStream`). */
const SEALED_HEAD = 5;

/** Where a finished export file is kept: it is only ever written there whole (see {@link ExportFiles.write}). */
export function exportFileKey(accountId: string, exportId: string): string {
  return `${PREFIX}${accountId}/${exportId}`;
}

/** Where an export file is written while it runs; never downloadable. */
function partKey(accountId: string, exportId: string): string {
  return `${exportFileKey(accountId, exportId)}.part`;
}

/** What was written: bytes and SHA-256 of the file in clear (as it downloads). */
export interface WrittenFile {
  key: string;
  size: number;
  sha256: string;
  /**
   * `null`: sealed under the export's own file key (which key rotation re-wraps in the key table;
   * the file is never sealed again). Files sealed before under the account key name its version.
   */
  keyVersion: number | null;
}

/**
 * Where an export's file is bound, sealed under its own key (`fileKeyHolder`): an erasure of a
 * subject the file carried destroys that key, so every copy of the file stops opening.
 */
function placeOf(exportId: string) {
  return { purpose: EXPORT_PURPOSE, id: exportId, holder: exportFileHolder(exportId) };
}

/**
 * Export files in the shared `FileStore`: written under a temporary key and moved to their final
 * key only once complete, so no partial file is ever under a key a download reads. Every file is
 * sealed under its own key (bound to the export), whatever it holds: any file may carry a subject
 * whose erasure must make every copy of it unreadable.
 */
@Injectable()
export class ExportFiles {
  constructor(
    private readonly store: FileStore,
    private readonly ciphers: AccountCiphers,
    private readonly keys: ExportFileKeys,
  ) {}

  /**
   * Streams `bytes` into the store sealed under the export's own key, hashing them in clear.
   * Returns `null` (and keeps nothing) when `signal` aborted meanwhile: the caller decides what
   * that means.
   */
  async write(
    accountId: string,
    exportId: string,
    bytes: AsyncIterable<Buffer>,
    options: { signal: AbortSignal },
  ): Promise<WrittenFile | null> {
    const hash = createHash('sha256');
    let size = 0;
    const hashed = (async function* () {
      for await (const chunk of bytes) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })();
    const cipher = await this.ciphers.forAccount(accountId);
    const content = cipher.sealStream(hashed, placeOf(exportId));
    const part = partKey(accountId, exportId);
    try {
      await this.store.put(part, content);
    } catch (error) {
      await this.store.delete(part);
      throw error;
    }
    if (options.signal.aborted) {
      await this.store.delete(part);
      return null;
    }
    const key = exportFileKey(accountId, exportId);
    await this.store.move(part, key);
    return { key, size, sha256: hash.digest('hex'), keyVersion: null };
  }

  /**
   * Moves a finished file sealed under the account key (written before files had their own) under
   * its own key (key rotation): written whole under the temporary key, then moved over the file,
   * so a download reads either version whole. Returns `false` when the file is gone; it is never
   * sealed again after that (rotation re-wraps its key).
   */
  async reseal(cipher: AccountCipher, exportId: string): Promise<false | { keyVersion: null }> {
    const key = exportFileKey(cipher.accountId, exportId);
    const stored = await this.store.get(key);
    if (!stored) {
      return false;
    }
    const place = placeOf(exportId);
    const part = partKey(cipher.accountId, exportId);
    try {
      await this.store.put(part, cipher.sealStream(cipher.openStream(stored, place), place));
    } catch (error) {
      await this.store.delete(part);
      throw error;
    }
    await this.store.move(part, key);
    return { keyVersion: null };
  }

  /**
   * The file in clear, streamed (opened frame by frame when sealed); `null` when it is gone.
   * Files written before every export was sealed are in clear: told apart by the sealed stream's
   * leading bytes, which no CSV or XLSX starts with. The first frame is opened before anything is
   * answered, so a file whose key was destroyed throws `SubjectErasedError` here, not mid-download.
   * Read from the export's own key, never from a key its row names: a database writer who pointed
   * `file_key` at another file of the store (one in clear: an attachment, an upload) would have it
   * served, and audited, as this export's file with this export's receipt.
   */
  async read(accountId: string, exportId: string): Promise<Readable | null> {
    const stored = await this.store.get(exportFileKey(accountId, exportId));
    if (!stored) {
      return null;
    }
    const chunks = stored[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < SEALED_HEAD && !ended) {
      const next = await chunks.next();
      ended = next.done === true;
      head = ended ? head : Buffer.concat([head, next.value]);
    }
    const whole = (async function* () {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        yield next.value;
      }
    })();
    if (!isSealedStream(head)) {
      return Readable.from(whole);
    }
    const cipher = await this.ciphers.forAccount(accountId);
    const opened = cipher.openStream(whole, placeOf(exportId));
    const first = await opened.next();
    return Readable.from(
      (async function* () {
        if (!first.done) {
          yield first.value;
        }
        yield* opened;
      })(),
    );
  }

  /**
   * Removes an export's files, finished and partial, and destroys their key: a copy of the store
   * taken before no longer opens either. Nothing stored is no error.
   */
  async remove(accountId: string, exportId: string): Promise<void> {
    await this.keys.destroy(accountId, exportId);
    await this.store.delete(partKey(accountId, exportId));
    await this.store.delete(exportFileKey(accountId, exportId));
  }
}
