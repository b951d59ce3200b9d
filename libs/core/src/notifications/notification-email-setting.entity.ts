import { Entity, PrimaryColumn } from 'typeorm';

/**
 * A user's opt-in to receive notifications of one kind by e-mail too, in one account. A row is
 * an opt-in; no row, no mail (the default).
 */
@Entity('custos_notification_email')
export class NotificationEmailSetting {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'custos_notification_email_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'custos_notification_email_pk',
  })
  userId!: string;

  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'custos_notification_email_pk',
  })
  kind!: string;
}
