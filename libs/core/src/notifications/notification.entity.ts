import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../database/timestamp-column';
import { NotificationEmailSetting } from './notification-email-setting.entity';

/**
 * An in-app notification for one user of one account. It holds references (ids and names of
 * things, see {@link NotificationRefs}), never values: its kind renders it when it is read, as the
 * recipient may see it then.
 */
@Entity('custos_notification')
@Index('custos_notification_recipient_idx', ['accountId', 'recipientUserId', 'id'])
@Index('custos_notification_topic_idx', ['accountId', 'kind', 'topicId'])
export class Notification {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'custos_notification_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'recipient_user_id', type: 'varchar', length: 36 })
  recipientUserId!: string;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  /** What the notification is about (e.g. a form), so removing it removes its notifications. */
  @Column({ name: 'topic_id', type: 'varchar', length: 36, nullable: true })
  topicId!: string | null;

  @Column({ type: 'simple-json' })
  refs!: NotificationRefs;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'read_at', nullable: true })
  readAt!: Date | null;
}

/** References of a notification: names to ids or short names (letters, digits, `_ - . :`). */
export type NotificationRefs = Record<string, string>;

export const NOTIFICATION_ENTITIES = [Notification, NotificationEmailSetting];
