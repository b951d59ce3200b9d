import type { EntityManager } from 'typeorm';
import type { AccountCipher } from '../cipher/account-cipher';

/** One batch of a key rotation, as handed to a {@link RotationSource}. */
export interface RotationBatch {
  /** The batch's transaction: the source's reads, locks and writes and the job's cursor commit together. */
  readonly manager: EntityManager;
  readonly accountId: string;
  /** Opens values of any version of the account and seals with the active one. */
  readonly cipher: AccountCipher;
  /** Values sealed with a key version below this one are re-encrypted. */
  readonly targetVersion: number;
  /** The source's key of the last row handled by the previous batch; `null` to start from the beginning. */
  readonly after: string | null;
  /** Rows to look at in this batch (not values: a row may hold several, or none to rewrite). */
  readonly limit: number;
}

/** What a batch did. */
export interface RotationBatchResult {
  /** Key of the last row looked at (the next batch starts after it); `after` when none was. */
  lastKey: string | null;
  /** Values opened with an older key and sealed again with the active one. */
  reencrypted: number;
  /** Values on an older key that do not open (tampered, moved or malformed): left as they are. */
  unreadable: number;
  /** No row after `lastKey`: the source is through. */
  done: boolean;
}

/**
 * A place where an account's encrypted values live (a table, a column of JSON, files…),
 * registered with {@link KeyRotationRegistry}. Rows are walked in the order of a stable,
 * unique string key; each batch locks the rows it rewrites (`FOR UPDATE` on PostgreSQL) and
 * writes them in `batch.manager`'s transaction.
 */
export interface RotationSource {
  /** Stable and unique: stored in the job as its position (e.g. the table name). */
  readonly name: string;
  /** Re-encrypts the values on older key versions among the next `limit` rows after `after`. */
  reencryptBatch(batch: RotationBatch): Promise<RotationBatchResult>;
  /** How many of the account's values each key version sealed (a scan; for status and estimates). */
  countByVersion(manager: EntityManager, accountId: string): Promise<Map<number, number>>;
}

/** A rotation as seen by a {@link KeyRotationListener}. */
export interface KeyRotationEvent {
  rotationId: string;
  accountId: string;
  targetVersion: number;
  /** Values re-encrypted so far (all of them, when completed). */
  processed: number;
  /** Values on older versions that did not open (when completed: left on their old key). */
  unreadable: number;
}

/**
 * Told about rotations inside the transaction that starts or completes them, e.g. to write
 * audit events atomically with the change. A thrown error rolls the change back.
 */
export interface KeyRotationListener {
  started?(event: KeyRotationEvent, manager: EntityManager): Promise<void>;
  completed?(event: KeyRotationEvent, manager: EntityManager): Promise<void>;
}
