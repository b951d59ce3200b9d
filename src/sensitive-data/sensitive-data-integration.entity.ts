import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** `hubspot_sync`, `zapier`, `billing-webhook`: the name an integration or webhook is known by. */
export const INTEGRATION_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** An integration (or webhook) a super admin allowed to receive sensitive properties. */
@Entity('sensitive_data_integration')
export class SensitiveDataIntegration {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'sensitive_data_integration_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'sensitive_data_integration_pk',
  })
  name!: string;

  @TimestampColumn({ name: 'enabled_at' })
  enabledAt!: Date;

  /** The super admin who enabled it. */
  @Column({ name: 'enabled_by', type: 'varchar', length: 36 })
  enabledBy!: string;
}
