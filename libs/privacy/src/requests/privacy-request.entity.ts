import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type {
  PrivacyRequestChannel,
  PrivacyRequestStatus,
  PrivacyRequestType,
} from './privacy-request.types';

/** A data subject's request (GDPR Art. 12–22) and its clock. */
@Entity('privacy_request')
@Index('privacy_request_subject_name_idx', ['accountId', 'subjectName'])
@Index('privacy_request_subject_phone_idx', ['accountId', 'subjectPhone'])
// On the phone's key (an expression: migration 1797900000000), kept out of schema sync.
@Index('privacy_request_subject_phone_key_idx', { synchronize: false })
@Index('privacy_request_subject_contact_idx', ['accountId', 'subjectContactId'])
@Index('privacy_request_subject_idx', ['accountId', 'subjectEmail', 'type', 'receivedAt'])
@Index('privacy_request_due_idx', ['accountId', 'status', 'dueOn'])
export class PrivacyRequest {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'privacy_request_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 24 })
  type!: PrivacyRequestType;

  @Column({ type: 'varchar', length: 24 })
  status!: PrivacyRequestStatus;

  @Column({ type: 'varchar', length: 16 })
  channel!: PrivacyRequestChannel;

  /** Normalised (trimmed, lower case): duplicates are found by it. */
  @Column({ name: 'subject_email', type: 'varchar', length: 320, nullable: true })
  subjectEmail!: string | null;

  @Column({ name: 'subject_name', type: 'varchar', length: 200, nullable: true })
  subjectName!: string | null;

  @Column({ name: 'subject_phone', type: 'varchar', length: 40, nullable: true })
  subjectPhone!: string | null;

  /** What the subject asks, in their words. */
  @Column({ type: 'varchar', length: 4000, nullable: true })
  details!: string | null;

  /** The contact the subject was matched to, when known. */
  @Column({ name: 'subject_contact_id', type: 'varchar', length: 36, nullable: true })
  subjectContactId!: string | null;

  @Column({ name: 'assignee_user_id', type: 'varchar', length: 36, nullable: true })
  assigneeUserId!: string | null;

  @TimestampColumn({ name: 'received_at' })
  receivedAt!: Date;

  /** The UTC calendar date of receipt, the start of the clock. */
  @Column({ name: 'received_on', type: 'varchar', length: 10 })
  receivedOn!: string;

  @Column({ name: 'due_on', type: 'varchar', length: 10 })
  dueOn!: string;

  @Column({ type: 'boolean', default: false })
  extended!: boolean;

  @Column({ name: 'extension_reason', type: 'varchar', length: 2000, nullable: true })
  extensionReason!: string | null;

  /** Calendar days of finished pauses, added to the due date. */
  @Column({ name: 'paused_days', type: 'integer', default: 0 })
  pausedDays!: number;

  @TimestampColumn({ name: 'paused_at', nullable: true })
  pausedAt!: Date | null;

  /** The status a resumed request returns to. */
  @Column({ name: 'resume_status', type: 'varchar', length: 24, nullable: true })
  resumeStatus!: PrivacyRequestStatus | null;

  /** Why it was refused, or a note on completion. */
  @Column({ name: 'resolution', type: 'varchar', length: 2000, nullable: true })
  resolution!: string | null;

  @Column({ name: 'duplicate_of_id', type: 'varchar', length: 36, nullable: true })
  duplicateOfId!: string | null;

  /** An earlier open request of the same subject and type, found at intake. */
  @Column({ name: 'possible_duplicate_of_id', type: 'varchar', length: 36, nullable: true })
  possibleDuplicateOfId!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @TimestampColumn({ name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  /** The deadline flag (`due_soon`, `overdue`) its handlers were last notified of; `null` before. */
  @Column({ name: 'deadline_notice', type: 'varchar', length: 16, nullable: true })
  deadlineNotice!: string | null;

  /** Bumped by every change: a change applies only to the version it was decided on. */
  @Column({ type: 'integer' })
  version!: number;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
