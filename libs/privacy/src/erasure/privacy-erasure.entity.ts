import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ERASURE_STATUSES = ['running', 'completed'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

/**
 * The erasure of an erasure request's subject, and how far it got: contacts are erased one per
 * transaction in the order of `contact_ids`, each moving `contacts_done` on; then the values.
 * A rerun continues from there. The subject's values are kept only while it runs.
 */
@Entity('privacy_erasure')
@Index('privacy_erasure_request_uq', ['accountId', 'requestId'], { unique: true })
@Index('privacy_erasure_status_idx', ['status', 'accountId'])
export class PrivacyErasure {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'privacy_erasure_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ErasureStatus;

  /** JSON array of the contact ids the operator confirmed. */
  @Column({ name: 'contact_ids', type: 'text' })
  contactIds!: string;

  @Column({ name: 'contacts_done', type: 'integer', default: 0 })
  contactsDone!: number;

  /** Contacts anonymised (kept for a blocker) so far. */
  @Column({ name: 'contacts_anonymised', type: 'integer', default: 0 })
  contactsAnonymised!: number;

  /** JSON array of the user ids the operator confirmed (`null`: none). */
  @Column({ name: 'user_ids', type: 'text', nullable: true })
  userIds!: string | null;

  @Column({ name: 'users_done', type: 'integer', default: 0 })
  usersDone!: number;

  /** JSON `{ emails, phones }` (normalised) until the values are erased; then `null`. */
  @Column({ name: 'subject_values', type: 'text', nullable: true })
  subjectValues!: string | null;

  @Column({ name: 'values_done', type: 'boolean', default: false })
  valuesDone!: boolean;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'completed_at', nullable: true })
  completedAt!: Date | null;
}
