import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FileStore } from '@custos/core';
import { AccountCiphers, type AccountCipher } from '@custos/crypto';

/** The `purpose` of sealed export files (part of their authenticated place, with the export id). */
const EXPORT_PURPOSE = 'export';
const PREFIX = 'exports/';

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
  /** The data-key version that sealed it; `null` when it is not sealed. */
  keyVersion: number | null;
}

/**
 * Export files in the shared `FileStore`: written under a temporary key and moved to their final
 * key only once complete, so no partial file is ever under a key a download reads; sealed with
 * the account's data key (bound to the export) when they hold sensitive values.
 */
@Injectable()
export class ExportFiles {
  constructor(
    private readonly store: FileStore,
    private readonly ciphers: AccountCiphers,
  ) {}

  /**
   * Streams `bytes` into the store (sealed when `sealed`), hashing them in clear. Returns `null`
   * (and keeps nothing) when `signal` aborted meanwhile: the caller decides what that means.
   */
  async write(
    accountId: string,
    exportId: string,
    bytes: AsyncIterable<Buffer>,
    options: { sealed: boolean; signal: AbortSignal },
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
    const cipher = options.sealed ? await this.ciphers.forAccount(accountId) : null;
    const content = cipher
      ? cipher.sealStream(hashed, { purpose: EXPORT_PURPOSE, id: exportId })
      : hashed;
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
    return { key, size, sha256: hash.digest('hex'), keyVersion: cipher?.activeVersion ?? null };
  }

  /**
   * Seals a finished file again with `cipher`'s active key (key rotation): written whole under the
   * temporary key, then moved over the file, so a download reads either version whole. Returns
   * `false` when the file is gone.
   */
  async reseal(cipher: AccountCipher, exportId: string, key: string): Promise<boolean> {
    const stored = await this.store.get(key);
    if (!stored) {
      return false;
    }
    const place = { purpose: EXPORT_PURPOSE, id: exportId };
    const part = partKey(cipher.accountId, exportId);
    try {
      await this.store.put(part, cipher.sealStream(cipher.openStream(stored, place), place));
    } catch (error) {
      await this.store.delete(part);
      throw error;
    }
    await this.store.move(part, key);
    return true;
  }

  /** The file in clear, streamed (opened frame by frame when sealed); `null` when it is gone. */
  async read(
    accountId: string,
    exportId: string,
    key: string,
    sealed: boolean,
  ): Promise<Readable | null> {
    const stored = await this.store.get(key);
    if (!stored || !sealed) {
      return stored;
    }
    const cipher = await this.ciphers.forAccount(accountId);
    return Readable.from(cipher.openStream(stored, { purpose: EXPORT_PURPOSE, id: exportId }));
  }

  /** Removes an export's files, finished and partial; nothing stored is no error. */
  async remove(accountId: string, exportId: string): Promise<void> {
    await this.store.delete(partKey(accountId, exportId));
    await this.store.delete(exportFileKey(accountId, exportId));
  }
}
