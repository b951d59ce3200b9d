import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** Product editions, lowest first. */
export const ACCOUNT_EDITIONS = ['starter', 'professional', 'enterprise'] as const;
export type AccountEdition = (typeof ACCOUNT_EDITIONS)[number];

/** An isolated organisation (tenant). Nothing crosses accounts. */
@Entity('identity_account')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'identity_account_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Set by the platform operator; sensitive-data definitions need `enterprise`. */
  @Column({ type: 'varchar', length: 20, default: 'enterprise' })
  edition!: AccountEdition;

  /** Where the account's data lives; set by the platform operator. */
  @Column({ name: 'data_region', type: 'varchar', length: 32, default: 'eu' })
  dataRegion!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
