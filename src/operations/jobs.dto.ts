import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATES, PagingDto, type JobState, type JobView } from '@custos/core';

/** A background job: its bookkeeping only, never its data. */
export class JobDto implements JobView {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f12' })
  id!: string;

  @ApiProperty({ description: 'The queue (what the job does).', example: 'crypto.key_rotation' })
  name!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Its idempotency key: the id of what it works on (the import, the rotation), `period:…` for a schedule run; `null` when it has none.',
    example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f14',
  })
  key!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The account the job works for; `null` for deployment-wide schedules.',
    example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f13',
  })
  accountId!: string | null;

  @ApiProperty({
    enum: JOB_STATES,
    description:
      '`waiting` (queued, or waiting for its next attempt at `runAt`), `active`, `completed`, `dead` (its last attempt failed: see `errorCode`), `cancelled`.',
    example: 'active',
  })
  state!: JobState;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Percent done, as the job last reported it.',
    example: 40,
  })
  progress!: number | null;

  @ApiProperty({ description: 'Attempts started so far.', example: 1 })
  attempts!: number;

  @ApiProperty({ description: 'Attempts allowed before the job is dead.', example: 3 })
  maxAttempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Code of the last failure (never its message).',
    example: null,
  })
  errorCode!: string | null;

  @ApiProperty({ description: 'Cancellation was asked for; an active job stops between batches.' })
  cancelRequested!: boolean;

  @ApiProperty({ example: '2026-12-05T09:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ description: 'When it may run next.', example: '2026-12-05T09:00:00.000Z' })
  runAt!: Date;

  @ApiPropertyOptional({ type: Date, nullable: true, example: '2026-12-05T09:00:01.000Z' })
  startedAt!: Date | null;

  @ApiPropertyOptional({ type: Date, nullable: true, example: null })
  finishedAt!: Date | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] })
  results!: JobDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
