import type { Readable } from 'node:stream';

/** One stored object, as listed by {@link AttachmentStorage.list}. */
export interface StoredObject {
  key: string;
  /** When it was written (for sparing uploads whose row is not committed yet). */
  storedAt: Date;
}

/**
 * Where attachment bytes are kept (port): local disk by default, anything key-addressed (an
 * object store) in its place. Keys are chosen by the server (`<accountId>/<attachmentId>`), never
 * by clients. The bytes handed over are already sealed when the account encrypts its files.
 */
export abstract class AttachmentStorage {
  /** Stores the bytes under a new `key`. Visible under `key` only once complete. */
  abstract put(key: string, data: Buffer | Readable): Promise<void>;

  /**
   * Replaces the bytes under an existing `key` at once (readers see the old bytes or the new,
   * never a mix): re-encryption after a key rotation.
   */
  abstract replace(key: string, data: Buffer): Promise<void>;

  /** The stored bytes, or `null` when nothing is stored under `key`. */
  abstract get(key: string): Promise<Readable | null>;

  /** Removes the bytes under `key`; removing what is not there is not an error. */
  abstract delete(key: string): Promise<void>;

  /** Everything stored, incomplete writes included (to remove what no attachment refers to). */
  abstract list(): AsyncIterable<StoredObject>;
}
