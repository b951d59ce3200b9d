import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A user's place in a partner firm: at most one firm per user (the primary key). */
@Entity('partner_employee')
@Index('partner_employee_firm_idx', ['firmId'])
export class PartnerEmployee {
  @PrimaryColumn({
    name: 'user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'partner_employee_pk',
  })
  userId!: string;

  @Column({ name: 'firm_id', type: 'varchar', length: 36 })
  firmId!: string;

  /** Firm admins add and remove the firm's employees. */
  @Column({ name: 'firm_admin', type: 'boolean', default: false })
  firmAdmin!: boolean;

  /** Signed into the employee's access link: raising it (regenerate, revoke) kills older links. */
  @Column({ name: 'link_generation', type: 'integer', default: 0 })
  linkGeneration!: number;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
