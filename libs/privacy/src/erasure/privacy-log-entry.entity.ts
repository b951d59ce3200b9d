import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One thing done for a privacy request (a contact deleted or anonymised, values erased, a key
 * destroyed): names the subject only masked (`j***@e***.com`) and counts what went, never a value
 * that was removed.
 */
@Entity('privacy_log')
@Index('privacy_log_account_idx', ['accountId', 'id'])
@Index('privacy_log_request_idx', ['accountId', 'requestId', 'id'])
export class PrivacyLogEntry {
  /** Time-ordered (newest first by id). */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'privacy_log_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  /** `contact_deleted`, `contact_anonymised`, `values_erased`, `erasure_completed`. */
  @Column({ type: 'varchar', length: 32 })
  action!: string;

  /** The subject, masked. */
  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  /** JSON: rows per source, blockers, kept sources with their reason. Never a removed value. */
  @Column({ type: 'text' })
  detail!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 64 })
  actorId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
