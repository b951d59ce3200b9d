import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/timestamp-column';
import type { JobState } from './job';

/**
 * A job of the embedded (database) backend. A worker holds an `active` job by its lease
 * (`lease_owner` until `lease_expires_at`, renewed while it runs): once the lease expires the job
 * is claimed again, by any instance. Never holds an error message, only its code.
 */
@Entity('custos_job')
@Index('custos_job_name_key_uq', ['name', 'idempotencyKey'], { unique: true })
@Index('custos_job_claim_idx', ['state', 'runAt'])
@Index('custos_job_account_idx', ['accountId', 'id'])
export class JobRecord {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'custos_job_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'account_id', type: 'varchar', length: 36, nullable: true })
  accountId!: string | null;

  /** JSON of the actor the job runs as; `null`: the account's system actor. */
  @Column({ type: 'text', nullable: true })
  actor!: string | null;

  /** JSON of the handler's input: ids and options, never a sensitive value. */
  @Column({ type: 'text' })
  data!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: JobState;

  @Column({ type: 'integer', nullable: true })
  progress!: number | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  @Column({ name: 'backoff_ms', type: 'integer' })
  backoffMs!: number;

  @Column({ name: 'error_code', type: 'varchar', length: 100, nullable: true })
  errorCode!: string | null;

  /** Start of the period, for a schedule's run. */
  @TimestampColumn({ nullable: true })
  period!: Date | null;

  @TimestampColumn({ name: 'cancel_requested_at', nullable: true })
  cancelRequestedAt!: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 36, nullable: true })
  leaseOwner!: string | null;

  @TimestampColumn({ name: 'lease_expires_at', nullable: true })
  leaseExpiresAt!: Date | null;

  @TimestampColumn({ name: 'run_at' })
  runAt!: Date;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @TimestampColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}

/** The entities of the embedded job backend, for the host's DataSource and migrations. */
export const JOB_ENTITIES = [JobRecord];
