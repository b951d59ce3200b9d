import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import {
  ActorSnapshotColumns,
  TimestampColumn,
  type ActorSnapshot,
  type TaskPrivilege,
} from '@custos/core';

/**
 * `pending_approval` waits for a decision, which ends it `rejected`, `revoked` or `expired`, or
 * queues it; `queued` → `running` → `done` (its file downloadable until `file_expired`), `failed`
 * or `cancelled`.
 */
export const EXPORT_STATES = [
  'pending_approval',
  'rejected',
  'revoked',
  'expired',
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'file_expired',
] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What was asked for: the selection, the columns and the explicit reveals — never a value read. */
export interface StoredTarget {
  selection: Record<string, unknown>;
  properties: string[];
  reveal: string[];
}

/** PostgreSQL returns `bigint` as a string. */
const BIGINT: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

const RequesterColumns = ActorSnapshotColumns('requester');

/**
 * An export: who asked for what, and how far it got. Every change of `state` is a conditional
 * update from the state it was read in, with one audit event.
 */
@Entity('custos_export')
@Index('custos_export_requester_label_idx', ['accountId', 'requester.label'])
@Index('custos_export_account_idx', ['accountId', 'id'])
@Index('custos_export_requester_idx', ['accountId', 'requester.kind', 'requester.id', 'id'])
@Index('custos_export_state_idx', ['state'])
export class DataExport {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'custos_export_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The actor the export runs as (its rights are read when it runs). */
  @Column(() => RequesterColumns, { prefix: false })
  requester!: ActorSnapshot;

  /** A private app's scopes (its rights are its creator's, within them). */
  @Column({ name: 'requester_scopes', type: 'simple-json', nullable: true })
  requesterScopes!: TaskPrivilege[] | null;

  /** The host's source (`records`, `history` …). */
  @Column({ type: 'varchar', length: 64 })
  source!: string;

  @Column({ type: 'simple-json' })
  target!: StoredTarget;

  /** The source's value-free description (object type, segment, filter shape) for the log. */
  @Column({ type: 'simple-json' })
  description!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 8 })
  format!: ExportFormat;

  @Column({ type: 'varchar', length: 24 })
  state!: ExportState;

  @Column({ name: 'rows_done', type: 'integer', default: 0 })
  rowsDone!: number;

  @Column({ name: 'rows_total', type: 'integer', default: 0 })
  rowsTotal!: number;

  /** It holds sensitive values: it needed approval, and its file is sealed at rest. */
  @Column({ type: 'boolean' })
  sensitive!: boolean;

  @Column({ name: 'approval_id', type: 'varchar', length: 36, nullable: true })
  approvalId!: string | null;

  /** Who approved or rejected it. */
  @Column({ name: 'decided_by_user_id', type: 'varchar', length: 36, nullable: true })
  decidedByUserId!: string | null;

  /** Why it was rejected (the approver's words). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  reason!: string | null;

  /** Its job (`exports.run`), once queued where the backend tells it at once. */
  @Column({ name: 'job_id', type: 'varchar', length: 36, nullable: true })
  jobId!: string | null;

  /**
   * Where the finished file is in the `FileStore`; set only once it is complete. Informative: a
   * download reads the export's own key (`exports/<account>/<export>`), never the key named here.
   */
  @Column({ name: 'file_key', type: 'varchar', length: 512, nullable: true })
  fileKey!: string | null;

  @Column({ name: 'content_type', type: 'varchar', length: 100, nullable: true })
  contentType!: string | null;

  @Column({ name: 'file_extension', type: 'varchar', length: 8, nullable: true })
  fileExtension!: string | null;

  /** Bytes of the file as downloaded (in clear). */
  @Column({ type: 'bigint', nullable: true, transformer: BIGINT })
  size!: number | null;

  /** SHA-256 (hex) of the file as downloaded: the receipt, also in the `export.done` audit event. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256!: string | null;

  @TimestampColumn({ name: 'file_expires_at', nullable: true })
  fileExpiresAt!: Date | null;

  /**
   * The account data-key version that sealed a file written before export files had their own
   * key; key rotation reseals those. `null`: sealed under the file's own key (rotation re-wraps
   * that key, never the file), or an old file in clear.
   */
  @Column({ name: 'key_version', type: 'integer', nullable: true })
  keyVersion!: number | null;

  @Column({ type: 'integer', default: 0 })
  downloads!: number;

  /** Why it failed: an error code, never a message or a value. */
  @Column({ name: 'error_code', type: 'varchar', length: 100, nullable: true })
  errorCode!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @TimestampColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
