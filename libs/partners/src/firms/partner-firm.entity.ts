import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * A solutions partner: an outside firm whose employees help run customer accounts. Registered
 * by a super admin of the firm's own account (its home), where its employees sign in.
 */
@Entity('partner_firm')
@Index('partner_firm_home_account_uq', ['homeAccountId'], { unique: true })
export class PartnerFirm {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'partner_firm_pk' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The firm's own account: its employees are members of it. */
  @Column({ name: 'home_account_id', type: 'varchar', length: 36 })
  homeAccountId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
