import type { Readable } from 'node:stream';

/** What a store knows of one stored file. */
export interface StoredFile {
  key: string;
  /** Bytes stored (of the sealed form when the caller sealed them). */
  size: number;
  /** When it was written (to spare uploads whose database row is not committed yet). */
  storedAt: Date;
}

/** The bytes handed to {@link FileStore.put}: whole, or streamed (never held whole in memory). */
export type FileContent = Buffer | Readable | AsyncIterable<Buffer | Uint8Array>;

/**
 * Where files live (port): local disk by default, an S3-compatible bucket when every instance
 * must see every file. Keys are chosen by the server, never by clients (`attachments/<account>/<id>`);
 * they are `/`-separated segments of letters, digits, `.`, `_` and `-`, so no key can point outside
 * the store. Callers seal what the account's sensitive-data setting requires before `put` (the store
 * keeps bytes as given), and serve downloads through their own authorisation: a store never hands
 * out a link.
 */
export abstract class FileStore {
  /**
   * Stores `content` under `key`, replacing what was there at once: readers see the old bytes or
   * the new, never a mix, and a failed write leaves nothing new behind.
   */
  abstract put(key: string, content: FileContent): Promise<void>;

  /** The stored bytes, or `null` when nothing is stored under `key`. */
  abstract get(key: string): Promise<Readable | null>;

  /** Size and time of the file, or `null` when nothing is stored under `key`. */
  abstract stat(key: string): Promise<StoredFile | null>;

  /**
   * Moves a file to another key, replacing what was there (a rename on disk, a server-side copy
   * and delete on S3: no bytes pass through this process). Throws when nothing is stored under `from`.
   */
  abstract move(from: string, to: string): Promise<void>;

  /** Removes the file; removing what is not there is not an error. */
  abstract delete(key: string): Promise<void>;

  /** Every file whose key starts with `prefix` (e.g. `attachments/`), in no promised order. */
  abstract list(prefix: string): AsyncIterable<StoredFile>;

  /** Throws when the store cannot be used (readiness): the folder is not writable, the bucket does not answer. */
  abstract checkReady(): Promise<void>;

  /** Releases connections at shutdown; nothing to release by default. */
  close(): void {}
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Throws unless `key` is a valid store key (see {@link FileStore}); a programming error, never a client's. */
export function assertFileKey(key: string): void {
  if (key.length === 0 || key.length > 512 || !key.split('/').every((s) => SEGMENT.test(s))) {
    throw new Error('Invalid file store key');
  }
}

/** Whether `prefix` can begin a valid key (`''`, `attachments/`, `imports/ab`). */
export function assertFilePrefix(prefix: string): void {
  if (
    prefix !== '' &&
    !prefix.split('/').every((s, i, all) => (s === '' ? i === all.length - 1 : SEGMENT.test(s)))
  ) {
    throw new Error('Invalid file store prefix');
  }
}
