import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn, type ActorSnapshot, type TaskPrivilege } from '@custos/core';
import type { StoredFilterGroup } from '../search';

/**
 * `draft` until sent once; `sending` while the job walks the audience; then `sent`, `cancelled`,
 * or `failed` when the job cannot finish it (with {@link Mailing.failureReason}).
 */
export const MAILING_STATUSES = ['draft', 'sending', 'sent', 'cancelled', 'failed'] as const;
export type MailingStatus = (typeof MAILING_STATUSES)[number];

/**
 * A recipient's row: `queued` (in the audience, not written yet), `sent` (in the outbox),
 * `skipped`, or `bounced` (sent, and a hard bounce of that very mail came back).
 */
export const RECIPIENT_STATUSES = ['queued', 'sent', 'skipped', 'bounced'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/**
 * Why a contact of the selection got nothing: no consent in effect (none, pending, expired, not
 * offered on the channel), opted out (withdrawn or objected), blacklisted by hand, blacklisted
 * after repeated bounces, no address on the channel, or no longer readable by the sender (their
 * record rules when the mail was to be written).
 */
export const SKIP_REASONS = [
  'no_consent',
  'opted_out',
  'blacklisted',
  'bounced',
  'no_address',
  'restricted',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A mass mailing: a purpose, a selection of contacts (segment or filter) and two templates. */
@Entity('crm_mailing')
@Index('crm_mailing_account_idx', ['accountId', 'id'])
export class Mailing {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_mailing_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'purpose_id', type: 'varchar', length: 36 })
  purposeId!: string;

  @Column({ name: 'segment_id', type: 'varchar', length: 36, nullable: true })
  segmentId!: string | null;

  /** The selection when no segment names it (a search's filter groups); sensitive values as tokens. */
  @Column({ name: 'filter_groups', type: 'simple-json' })
  filterGroups!: StoredFilterGroup[];

  @Column({ name: 'subject_template', type: 'varchar', length: 998 })
  subjectTemplate!: string;

  @Column({ name: 'body_template', type: 'text' })
  bodyTemplate!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: MailingStatus;

  /** Who created it; the job sends as whoever sent it (their record rules). */
  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true })
  createdBy!: string | null;

  /** The last contact id the job took into the recipient list (keyset; resumes after a crash). */
  @Column({ name: 'collected_after', type: 'varchar', length: 36, nullable: true })
  collectedAfter!: string | null;

  /** Whether the whole selection is in the recipient list. */
  @Column({ type: 'boolean', default: false })
  collected!: boolean;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  @TimestampColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  /**
   * Who sent it, as the job acts (identity only: rights are read again when it runs); kept so
   * that a mailing whose job was lost can be queued again at start.
   */
  @Column({ type: 'simple-json', nullable: true })
  sender!: MailingSender | null;

  /** Why a `failed` mailing failed: an error code, never data. */
  @Column({ name: 'failure_reason', type: 'varchar', length: 64, nullable: true })
  failureReason!: string | null;
}

/** The sender kept on a mailing: an actor snapshot, and a private app's scopes. */
export interface MailingSender extends ActorSnapshot {
  scopes?: TaskPrivilege[];
}

/** One contact of a mailing: its status, why it was skipped, and its mail in the outbox. */
@Entity('crm_mailing_recipient')
@Index('crm_mailing_recipient_status_idx', ['mailingId', 'status', 'contactId'])
@Index('crm_mailing_recipient_mail_idx', ['mailId'])
export class MailingRecipient {
  @PrimaryColumn({
    name: 'mailing_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_mailing_recipient_pk',
  })
  mailingId!: string;

  @PrimaryColumn({
    name: 'contact_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_mailing_recipient_pk',
  })
  contactId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RecipientStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  reason!: SkipReason | null;

  @Column({ name: 'mail_id', type: 'varchar', length: 36, nullable: true })
  mailId!: string | null;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
