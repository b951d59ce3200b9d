import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { FileStore, type FileContent } from '@custos/core';

/** One stored attachment file, as listed by {@link AttachmentStorage.list}. */
export interface StoredObject {
  /** The attachment's `storageKey` (`<accountId>/<attachmentId>`). */
  key: string;
  /** When it was written (for sparing uploads whose row is not committed yet). */
  storedAt: Date;
}

const PREFIX = 'attachments/';
const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const STORAGE_KEY = new RegExp(`^${ID}/${ID}$`);

/**
 * Attachment bytes in the server's {@link FileStore}, under `attachments/<storageKey>`; the
 * `storageKey` of a row is `<accountId>/<attachmentId>`, chosen by the server. The bytes handed
 * over are already sealed when the account encrypts its files.
 */
@Injectable()
export class AttachmentStorage {
  constructor(private readonly files: FileStore) {}

  /** Stores (or replaces at once, after a key rotation) the bytes of an attachment. */
  put(storageKey: string, data: FileContent): Promise<void> {
    return this.files.put(fileKeyOf(storageKey), data);
  }

  /** The stored bytes, or `null` when nothing is stored under `storageKey`. */
  get(storageKey: string): Promise<Readable | null> {
    return this.files.get(fileKeyOf(storageKey));
  }

  /** Removing what is not there is not an error. */
  delete(storageKey: string): Promise<void> {
    return this.files.delete(fileKeyOf(storageKey));
  }

  /** Every stored attachment file, nothing else below `attachments/` (to remove what no attachment refers to). */
  async *list(): AsyncIterable<StoredObject> {
    for await (const file of this.files.list(PREFIX)) {
      const key = file.key.slice(PREFIX.length);
      if (STORAGE_KEY.test(key)) {
        yield { key, storedAt: file.storedAt };
      }
    }
  }
}

/** Only `<id>/<id>` is an attachment's key: nothing else in the store is reachable through it. */
function fileKeyOf(storageKey: string): string {
  if (!STORAGE_KEY.test(storageKey)) {
    throw new Error('Invalid attachment storage key');
  }
  return `${PREFIX}${storageKey}`;
}
