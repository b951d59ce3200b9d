import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AttachmentStorage, type StoredObject } from './attachment-storage';

const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ACCOUNT = new RegExp(`^${ID}$`);
const NAME = new RegExp(`^${ID}(\\.part)?$`);

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Attachments as files below one folder (`<CUSTOS_DATA_DIR>/attachments` in the server):
 * `<accountId>/<attachmentId>`, mode 0600. A file is written as `<key>.part` and renamed when
 * complete, so a reader never sees half a file; an interrupted write's `.part` is listed, so the
 * sweep removes it.
 */
export class LocalDiskAttachmentStorage extends AttachmentStorage {
  constructor(readonly directory: string) {
    super();
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    const partial = `${path}.part`;
    try {
      if (Buffer.isBuffer(data)) {
        const file = await open(partial, 'wx', 0o600);
        try {
          await file.writeFile(data);
          await file.sync();
        } finally {
          await file.close();
        }
      } else {
        await pipeline(data, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      }
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async replace(key: string, data: Buffer): Promise<void> {
    const path = this.pathOf(key);
    // A `.part` left by an interrupted replace of the same key is overwritten.
    const partial = `${path}.part`;
    const file = await open(partial, 'w', 0o600);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, path);
  }

  async get(key: string): Promise<Readable | null> {
    const path = this.pathOf(key);
    try {
      // Opened here, so a missing file is known before anything is sent.
      return (await open(path, 'r')).createReadStream();
    } catch (error) {
      if (isMissing(error)) {
        return null;
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(): AsyncIterable<StoredObject> {
    for (const account of await this.names(this.directory)) {
      if (!ACCOUNT.test(account)) {
        continue;
      }
      for (const name of await this.names(join(this.directory, account))) {
        if (!NAME.test(name)) {
          continue;
        }
        try {
          const { mtime } = await stat(join(this.directory, account, name));
          yield { key: `${account}/${name}`, storedAt: mtime };
        } catch (error) {
          if (!isMissing(error)) {
            throw error;
          }
        }
      }
    }
  }

  private async names(directory: string): Promise<string[]> {
    try {
      return await readdir(directory);
    } catch (error) {
      if (isMissing(error)) {
        return [];
      }
      throw error;
    }
  }

  /** Only `<id>/<id>` (or its `.part`) is a path: no key can point outside the folder. */
  private pathOf(key: string): string {
    const parts = key.split('/');
    if (parts.length !== 2 || !ACCOUNT.test(parts[0]) || !NAME.test(parts[1])) {
      throw new Error('Invalid attachment storage key');
    }
    return join(this.directory, parts[0], parts[1]);
  }
}
