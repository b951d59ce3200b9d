import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** An account's export settings; an account without a row has the defaults (see `ExportSettingsService`). */
@Entity('custos_export_settings')
export class ExportSettingsRecord {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'custos_export_settings_pk',
  })
  accountId!: string;

  /** Exports of more than `recordThreshold` rows need approval (sensitive ones always do). */
  @Column({ name: 'approval_required', type: 'boolean' })
  approvalRequired!: boolean;

  @Column({ name: 'record_threshold', type: 'integer' })
  recordThreshold!: number;

  @Column({ name: 'pending_expiry_hours', type: 'integer' })
  pendingExpiryHours!: number;

  @Column({ name: 'file_ttl_days', type: 'integer' })
  fileTtlDays!: number;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
