import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

export type MembershipStatus = 'active' | 'deactivated';

/** A user's place in one account: super-admin flag, business unit and status. */
@Entity('identity_membership')
@Index('identity_membership_account_user_uq', ['accountId', 'userId'], { unique: true })
@Index('identity_membership_user_idx', ['userId'])
@Index('identity_membership_account_bu_idx', ['accountId', 'businessUnitId'])
export class Membership {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_membership_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'super_admin', type: 'boolean', default: false })
  superAdmin!: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: MembershipStatus;

  @Column({ name: 'business_unit_id', type: 'varchar', length: 36 })
  businessUnitId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
