import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** Categories of sensitive data an account may store once the setting is on. */
export const SENSITIVE_DATA_CATEGORIES = [
  'sensitive_personal_data',
  'health_data',
  'financial_data',
  'government_identifiers',
] as const;
export type SensitiveDataCategory = (typeof SENSITIVE_DATA_CATEGORIES)[number];

/** An account's sensitive-data setting: the row exists once it is enabled, and is never deleted. */
@Entity('sensitive_data_setting')
export class SensitiveDataSetting {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'sensitive_data_setting_pk',
  })
  accountId!: string;

  @Column({ type: 'simple-json' })
  categories!: SensitiveDataCategory[];

  @TimestampColumn({ name: 'enabled_at' })
  enabledAt!: Date;

  /** The super admin who enabled it and accepted the terms. */
  @Column({ name: 'enabled_by', type: 'varchar', length: 36 })
  enabledBy!: string;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
