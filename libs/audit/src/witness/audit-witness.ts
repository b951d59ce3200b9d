/** A signed chain head as seen at one moment, kept where the database writer cannot reach. */
export interface AuditCheckpoint {
  readonly accountId: string;
  readonly seq: number;
  readonly hash: string;
  /** The head's signature as it was (HMAC under the signing key of the time), for auditors. */
  readonly signature: string;
  /** ISO-8601 time the checkpoint was taken. */
  readonly at: string;
}

/**
 * Port to a store of chain-head checkpoints outside the database: heads only move forward, so a
 * head older than a checkpoint was rolled back. Implementations must be append-only and durable
 * (a checkpoint is stored once `append` resolves); `newest` may run on another instance than the
 * one that appended. The server's default is {@link FileAuditWitness}; a store shared by every
 * instance, or a webhook to another party, fits the same port.
 */
export interface AuditWitness {
  /** Stores the checkpoints durably. */
  append(checkpoints: readonly AuditCheckpoint[]): Promise<void>;
  /** The checkpoint with the highest seq of the account, or `null` when none was stored. */
  newest(accountId: string): Promise<AuditCheckpoint | null>;
}
