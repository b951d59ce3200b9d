import { TimestampColumn } from '@custos/core';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApprovalState } from './approval.types';

/**
 * One approval request. It leaves `pending` once, by one conditional update (see `Approvals`);
 * the requester's message and a rejection's reason live here only, never in audit events or
 * notifications.
 */
@Entity('custos_approval_request')
@Index('custos_approval_request_pending_idx', ['accountId', 'state', 'createdAt'])
@Index('custos_approval_request_subject_idx', ['accountId', 'kind', 'subjectId', 'createdAt'])
@Index('custos_approval_request_pending_subject_uq', ['accountId', 'kind', 'subjectId'], {
  unique: true,
  where: `"state" = 'pending'`,
})
@Index('custos_approval_request_due_idx', ['expiresAt'], { where: `"state" = 'pending'` })
@Check(
  'custos_approval_request_state_ck',
  `"state" IN ('pending', 'approved', 'rejected', 'revoked', 'expired')`,
)
export class ApprovalRequest {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'custos_approval_request_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId!: string;

  @Column({ name: 'requester_user_id', type: 'varchar', length: 36 })
  requesterUserId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: ApprovalState;

  @Column({ name: 'notified_user_ids', type: 'simple-json' })
  notifiedUserIds!: string[];

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'decided_by_user_id', type: 'varchar', length: 36, nullable: true })
  decidedByUserId!: string | null;

  @TimestampColumn({ name: 'decided_at', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
