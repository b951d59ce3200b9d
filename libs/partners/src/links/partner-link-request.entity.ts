import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What an access-link approval request is about, beside the approval engine's row: whose link of
 * which generation, and the term the approver chose (set in the approval's transaction).
 */
@Entity('partner_link_request')
export class PartnerLinkRequest {
  @PrimaryColumn({
    name: 'approval_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'partner_link_request_pk',
  })
  approvalId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'employee_user_id', type: 'varchar', length: 36 })
  employeeUserId!: string;

  @Column({ name: 'link_generation', type: 'integer' })
  linkGeneration!: number;

  /** Days of access (1–730); `null`: no end. */
  @Column({ name: 'access_days', type: 'integer', nullable: true })
  accessDays!: number | null;

  @Column({ name: 'auto_extend', type: 'boolean', default: false })
  autoExtend!: boolean;
}
