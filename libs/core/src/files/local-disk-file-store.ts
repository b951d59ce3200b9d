import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  FileStore,
  assertFileKey,
  assertFilePrefix,
  type FileContent,
  type StoredFile,
} from './file-store';

/** Writes of a crashed process older than this are removed (a day: no live write lasts as long). */
const ABANDONED_WRITE_MS = 24 * 60 * 60 * 1000;

/** Folder (below the root) of writes in progress; hidden, so never listed as a key. */
const PARTIAL = '.partial';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Files below one folder (the server uses `CUSTOS_DATA_DIR`): key `a/b/c` is the file `<root>/a/b/c`,
 * mode 0600 in folders of mode 0700. A file is written below `<root>/.partial/`, synced and renamed
 * into place, so a reader never sees half a file and a replace is atomic. Writes a crash interrupted
 * are removed at the first write a day later.
 */
export class LocalDiskFileStore extends FileStore {
  private abandonedRemoved = false;

  constructor(readonly root: string) {
    super();
  }

  async put(key: string, content: FileContent): Promise<void> {
    const path = this.pathOf(key);
    const partial = join(this.root, PARTIAL, randomUUID());
    await mkdir(dirname(partial), { recursive: true, mode: 0o700 });
    await this.removeAbandonedWrites();
    try {
      if (Buffer.isBuffer(content)) {
        const file = await open(partial, 'wx', 0o600);
        try {
          await file.writeFile(content);
          await file.sync();
        } finally {
          await file.close();
        }
      } else {
        const source = content instanceof Readable ? content : Readable.from(content);
        await pipeline(source, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable | null> {
    try {
      // Opened here, so a missing file is known before anything is sent.
      return (await open(this.pathOf(key), 'r')).createReadStream();
    } catch (error) {
      if (isMissing(error)) {
        return null;
      }
      throw error;
    }
  }

  async stat(key: string): Promise<StoredFile | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, storedAt: info.mtime } : null;
    } catch (error) {
      if (isMissing(error)) {
        return null;
      }
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.pathOf(to);
    const source = this.pathOf(from);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await rename(source, target);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    assertFilePrefix(prefix);
    // The deepest folder every matching key lies in; names below it are filtered by the prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(folder, prefix);
  }

  async checkReady(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await access(this.root, constants.R_OK | constants.W_OK);
  }

  private async *walk(folder: string, prefix: string): AsyncIterable<StoredFile> {
    let entries;
    try {
      entries = await readdir(join(this.root, folder), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) {
        return;
      }
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        continue;
      }
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) {
          yield* this.walk(key, prefix);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const found = await this.stat(key);
        if (found) {
          yield found;
        }
      }
    }
  }

  /** Once per process: partial files of writes a crash interrupted. */
  private async removeAbandonedWrites(): Promise<void> {
    if (this.abandonedRemoved) {
      return;
    }
    this.abandonedRemoved = true;
    const folder = join(this.root, PARTIAL);
    const cutoff = Date.now() - ABANDONED_WRITE_MS;
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      try {
        if ((await stat(path)).mtimeMs < cutoff) {
          await rm(path, { force: true });
        }
      } catch (error) {
        if (!isMissing(error)) {
          throw error;
        }
      }
    }
  }

  private pathOf(key: string): string {
    assertFileKey(key);
    return join(this.root, ...key.split('/'));
  }
}
