import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/timestamp-column';

export type MailStatus = 'pending' | 'sent' | 'failed';

/**
 * A mail written in the same transaction as the change that caused it, delivered afterwards by
 * {@link MailOutbox.deliverPending}: a rolled-back change leaves no mail, a committed one is
 * delivered even if the process dies right after the commit.
 */
@Entity('custos_mail_outbox')
@Index('custos_mail_outbox_due_idx', ['status', 'nextAttemptAt'])
@Index('custos_mail_outbox_account_idx', ['accountId', 'id'])
export class MailOutboxEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** What kind of mail this is (`form.notification`), for listing and metrics. */
  @Column({ type: 'varchar', length: 100 })
  kind!: string;

  /** `<id@domain>`, fixed when written: a resend after a crash carries the same one. */
  @Index('custos_mail_outbox_message_id_idx', { unique: true })
  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ name: 'from_address', type: 'varchar', length: 320 })
  from!: string;

  @Column({ type: 'simple-json' })
  recipients!: string[];

  @Column({ type: 'varchar', length: 998 })
  subject!: string;

  @Column({ name: 'text_body', type: 'text' })
  text!: string;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  html!: string | null;

  /** Extra header fields (`List-Unsubscribe`, `List-Unsubscribe-Post`), or null. */
  @Column({ type: 'simple-json', nullable: true })
  headers!: Record<string, string> | null;

  /** The envelope sender (SMTP `MAIL FROM`) when not the From address: a VERP return path. */
  @Column({ name: 'return_path', type: 'varchar', length: 320, nullable: true })
  returnPath!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: MailStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @TimestampColumn({ name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  /** Until when a delivery run holds it; another run takes it over after (the holder died). */
  @TimestampColumn({ name: 'claimed_until', nullable: true })
  claimedUntil!: Date | null;

  /** Why the last attempt failed, as a code (`smtp_550`, `connection`): never a value of the mail. */
  @Column({ name: 'last_error', type: 'varchar', length: 64, nullable: true })
  lastError!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'sent_at', nullable: true })
  sentAt!: Date | null;
}
