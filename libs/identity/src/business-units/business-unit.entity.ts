import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A node of the account's business-unit tree; the root has no parent. */
@Entity('identity_business_unit')
@Index('identity_business_unit_account_name_uq', ['accountId', 'name'], { unique: true })
@Index('identity_business_unit_account_parent_idx', ['accountId', 'parentId'])
export class BusinessUnit {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_business_unit_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
