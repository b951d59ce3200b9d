import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import type { KeyRotationEvent } from './rotation-source';

export const KEY_ROTATION_STATUSES = ['running', 'verifying', 'completed', 'failed'] as const;
/**
 * `running`: the first pass over every source; `verifying`: further passes, until one finds no
 * value on an older key (values written meanwhile by requests that loaded the keys before the
 * rotation); then `completed`. `failed` after an error that is not transient.
 */
export type KeyRotationStatus = (typeof KEY_ROTATION_STATUSES)[number];

/** Statuses of a rotation that is not over: one at a time per account. */
export const UNFINISHED_ROTATION_STATUSES: readonly KeyRotationStatus[] = ['running', 'verifying'];

/**
 * A data-key rotation of one account and how far it got. The position (`source`, `cursor`) and
 * the counters advance in the transaction of each batch, so after a crash the job resumes exactly
 * after its last committed batch.
 */
@Entity('crypto_rotation')
@Index('crypto_rotation_account_target_uq', ['accountId', 'targetVersion'], { unique: true })
@Index('crypto_rotation_account_started_idx', ['accountId', 'startedAt'])
@Index('crypto_rotation_status_idx', ['status'])
export class KeyRotationJob {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crypto_rotation_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The data-key version made by the rotation; values on lower versions are re-encrypted. */
  @Column({ name: 'target_version', type: 'integer' })
  targetVersion!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: KeyRotationStatus;

  /** Name of the source being walked; `null` before the first batch of a pass. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  source!: string | null;

  /** Key of the last row of `source` handled in this pass. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  cursor!: string | null;

  /** 1 for the first pass, then one more per verification pass. */
  @Column({ type: 'integer', default: 1 })
  pass!: number;

  /** Values re-encrypted in the current pass: a pass that ends at 0 completes the rotation. */
  @Column({ name: 'pass_reencrypted', type: 'integer', default: 0 })
  passReencrypted!: number;

  /** Values re-encrypted in all passes. */
  @Column({ type: 'integer', default: 0 })
  processed!: number;

  /** Values on older versions when the job began (an estimate: requests keep writing); `null` until counted. */
  @Column({ name: 'total_estimate', type: 'integer', nullable: true })
  totalEstimate!: number | null;

  /** Values on older versions that do not open, seen in the current pass. */
  @Column({ type: 'integer', default: 0 })
  unreadable!: number;

  /** Id of the actor who started it. */
  @Column({ name: 'started_by', type: 'varchar', length: 255 })
  startedBy!: string;

  /** Why the job failed, for whoever must fix it (no values). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  error!: string | null;

  @TimestampColumn({ name: 'started_at' })
  startedAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}

/** What listeners are told about a job. */
export function rotationEventOf(job: KeyRotationJob): KeyRotationEvent {
  return {
    rotationId: job.id,
    accountId: job.accountId,
    targetVersion: job.targetVersion,
    processed: job.processed,
    unreadable: job.unreadable,
  };
}
