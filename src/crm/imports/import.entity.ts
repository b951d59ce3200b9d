import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ActorSnapshotColumns, TimestampColumn, type ActorSnapshot } from '@custos/core';

export const IMPORT_MODES = ['create', 'update', 'upsert'] as const;
/** `create` adds every row; `update` changes records matched by a unique property; `upsert` does either. */
export type ImportMode = (typeof IMPORT_MODES)[number];

export const IMPORT_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const ActorColumns = ActorSnapshotColumns('actor');

/**
 * A CSV import: what to do with the file's rows and how far the worker got. `processedRows`
 * advances with each committed batch, in the batch's transaction, so a restarted worker resumes
 * exactly after the last committed row.
 */
@Entity('crm_import')
@Index('crm_import_actor_user_idx', ['accountId', 'actor.userId'])
@Index('crm_import_actor_label_idx', ['accountId', 'actor.label'])
@Index('crm_import_account_idx', ['accountId', 'id'])
@Index('crm_import_creator_idx', ['accountId', 'actor.kind', 'actor.id', 'id'])
@Index('crm_import_status_idx', ['status'])
export class CrmImport {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_import_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ type: 'varchar', length: 16 })
  mode!: ImportMode;

  @Column({ name: 'unique_property', type: 'varchar', length: 100, nullable: true })
  uniqueProperty!: string | null;

  /** CSV column → property name. */
  @Column({ type: 'simple-json' })
  mapping!: Record<string, string>;

  /** The name the client gave the file (shown in lists; the file itself is stored by id). */
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  @Column({ name: 'file_bytes', type: 'integer' })
  fileBytes!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: ImportStatus;

  @Column({ name: 'total_rows', type: 'integer' })
  totalRows!: number;

  /** Data rows fully handled (applied or reported), in file order. */
  @Column({ name: 'processed_rows', type: 'integer', default: 0 })
  processedRows!: number;

  @Column({ name: 'rows_created', type: 'integer', default: 0 })
  rowsCreated!: number;

  @Column({ name: 'rows_updated', type: 'integer', default: 0 })
  rowsUpdated!: number;

  /** Rows that matched a record whose values already were the row's. */
  @Column({ name: 'rows_unchanged', type: 'integer', default: 0 })
  rowsUnchanged!: number;

  /** Rows refused, each with one entry in `crm_import_error`. */
  @Column({ name: 'rows_failed', type: 'integer', default: 0 })
  rowsFailed!: number;

  /** The actor the import runs as (its rights are read when it runs). */
  @Column(() => ActorColumns, { prefix: false })
  actor!: ActorSnapshot;

  /** Why the import failed as a whole (never contains cell values). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  error!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @TimestampColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
