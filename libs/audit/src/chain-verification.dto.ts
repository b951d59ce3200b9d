import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ChainVerification } from './audit.types';
import { CHAIN_BREAK_REASONS, type ChainBreakReason } from './hash-chain';

/** The outcome of verifying an account's audit chain. */
export class ChainVerificationDto implements ChainVerification {
  @ApiProperty({ description: 'True when no event was edited, deleted or cut off.', example: true })
  valid!: boolean;

  @ApiProperty({
    description: 'Events found intact, from seq 1 up to the first break.',
    example: 1280,
  })
  eventsChecked!: number;

  @ApiProperty({ description: 'The seq the signed chain head claims.', example: 1280 })
  headSeq!: number;

  @ApiPropertyOptional({
    description:
      "The seq of the newest checkpoint of the account's head kept outside the database (only when the server keeps checkpoints and one was taken).",
    example: 1270,
  })
  checkpointSeq?: number;

  @ApiPropertyOptional({
    description: 'First seq missing, altered or not covered by the head (invalid chains only).',
    example: 1277,
  })
  firstBrokenSeq?: number;

  @ApiPropertyOptional({
    enum: CHAIN_BREAK_REASONS,
    description:
      '`hash_mismatch`: an event was edited; `broken_link`: an event was deleted; `head_mismatch`: the tail was cut off; `bad_signature`: the chain head was edited; `missing_head`: the chain was deleted; `rolled_back`: the tail was cut off and an older signed head written back (the head is behind the newest checkpoint).',
    example: 'head_mismatch',
  })
  reason?: ChainBreakReason;
}
