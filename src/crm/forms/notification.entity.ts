import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

export const NOTIFICATION_KINDS = ['form_submission'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * An in-app notification for one user of one account. It references what happened (form,
 * submission, record) and holds no values: they are read, at display time, as the recipient
 * may see them.
 */
@Entity('crm_notification')
@Index('crm_notification_recipient_idx', ['accountId', 'recipientUserId', 'id'])
@Index('crm_notification_form_idx', ['accountId', 'formId'])
export class CrmNotification {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_notification_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'recipient_user_id', type: 'varchar', length: 36 })
  recipientUserId!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: NotificationKind;

  @Column({ name: 'form_id', type: 'varchar', length: 36 })
  formId!: string;

  @Column({ name: 'submission_id', type: 'varchar', length: 36 })
  submissionId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'read_at', nullable: true })
  readAt!: Date | null;
}
