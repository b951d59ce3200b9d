import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { APPROVAL_STATES, type ApprovalState, type ApprovalView } from './approval.types';

/**
 * An approval request as a feature's routes return it (to its requester and approvers: the
 * message and the reason are theirs to read).
 */
export class ApprovalDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000a01' })
  id!: string;

  @ApiProperty({ description: 'The kind of approval.', example: 'export' })
  kind!: string;

  @ApiProperty({
    description: 'What is approved.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000e01',
  })
  subjectId!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  requesterUserId!: string;

  @ApiProperty({ enum: APPROVAL_STATES, example: 'pending' })
  state!: ApprovalState;

  @ApiProperty({
    type: [String],
    description: 'Approvers the requester asked to notify; any approver may decide.',
    example: ['0193a6c4-7f1e-7c3a-9d1e-000000000b02'],
  })
  notifiedUserIds!: string[];

  @ApiProperty({ type: String, nullable: true, example: 'For the quarterly review' })
  message!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  decidedByUserId!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  decidedAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it was rejected.',
    example: null,
  })
  reason!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-29T18:42:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;
}

/** The body of a rejection. */
export class RejectApprovalDto {
  @ApiProperty({
    description: 'Why (1 to 1000 characters).',
    example: 'Too many records; narrow the filter.',
  })
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

export function toApprovalDto(view: ApprovalView): ApprovalDto {
  return {
    id: view.id,
    kind: view.kind,
    subjectId: view.subjectId,
    requesterUserId: view.requesterUserId,
    state: view.state,
    notifiedUserIds: view.notifiedUserIds,
    message: view.message,
    decidedByUserId: view.decidedByUserId,
    decidedAt: view.decidedAt?.toISOString() ?? null,
    reason: view.reason,
    expiresAt: view.expiresAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
  };
}
