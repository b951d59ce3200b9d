import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** An isolated organisation (tenant). Nothing crosses accounts. */
@Entity('identity_account')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'identity_account_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
