import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PagingDto } from '@custos/core';
import {
  RETENTION_ACTIONS,
  RETENTION_CONDITIONS,
  RETENTION_OBJECT_TYPES,
  type RetentionAction,
  type RetentionCondition,
  type RetentionObjectType,
} from './retention-policy.entity';
import { DRY_RUN_PAGE } from './retention-policies';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const AT = '2026-12-05T18:00:00.000Z';
const CONDITION_TEXT =
  '`stale_without_consent` (contacts): not updated for `afterDays` days and no consent granted now; `archived` (contacts, companies, deals): archived for `afterDays` days; `closed` (deals): closed won or lost, with a close date `afterDays` days ago or more; `inactive` (companies): neither the company nor any deal of it created or changed for `afterDays` days.';
const ACTION_TEXT =
  '`delete`, or `anonymise`; a record a legal obligation keeps (a closed-won deal within its legal period, a contact of one) is anonymised either way.';
const LEGAL_PERIOD_TEXT =
  'Deals only: years after its close date a closed-won deal stays a contract under a legal obligation (anonymised, kept); afterwards the action applies (`delete` deletes it). `null` (default): kept for good.';

/** `legalPeriodYears` as both bodies take it (`null` clears it). */
const LegalPeriodYears = () =>
  applyDecorators(
    ApiPropertyOptional({
      example: 10,
      minimum: 1,
      maximum: 100,
      nullable: true,
      type: Number,
      description: LEGAL_PERIOD_TEXT,
    }),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(100),
  );

export class UpdateRetentionPolicyDto {
  @ApiPropertyOptional({ example: 'Lapsed leads after two years' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: RETENTION_OBJECT_TYPES, example: 'contacts' })
  @IsOptional()
  @IsIn(RETENTION_OBJECT_TYPES)
  objectType?: RetentionObjectType;

  @ApiPropertyOptional({
    enum: RETENTION_CONDITIONS,
    example: 'stale_without_consent',
    description: CONDITION_TEXT,
  })
  @IsOptional()
  @IsIn(RETENTION_CONDITIONS)
  condition?: RetentionCondition;

  @ApiPropertyOptional({ example: 730, minimum: 1, maximum: 36_500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  afterDays?: number;

  @ApiPropertyOptional({ enum: RETENTION_ACTIONS, example: 'anonymise', description: ACTION_TEXT })
  @IsOptional()
  @IsIn(RETENTION_ACTIONS)
  action?: RetentionAction;

  @ApiPropertyOptional({ example: true, description: 'Whether the daily run applies it.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @LegalPeriodYears()
  legalPeriodYears?: number | null;
}

export class CreateRetentionPolicyDto {
  @ApiProperty({ example: 'Lapsed leads after two years' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: RETENTION_OBJECT_TYPES, example: 'contacts' })
  @IsIn(RETENTION_OBJECT_TYPES)
  objectType!: RetentionObjectType;

  @ApiProperty({
    enum: RETENTION_CONDITIONS,
    example: 'stale_without_consent',
    description: CONDITION_TEXT,
  })
  @IsIn(RETENTION_CONDITIONS)
  condition!: RetentionCondition;

  @ApiProperty({ example: 730, minimum: 1, maximum: 36_500 })
  @IsInt()
  @Min(1)
  @Max(36_500)
  afterDays!: number;

  @ApiProperty({ enum: RETENTION_ACTIONS, example: 'anonymise', description: ACTION_TEXT })
  @IsIn(RETENTION_ACTIONS)
  action!: RetentionAction;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @LegalPeriodYears()
  legalPeriodYears?: number | null;
}

export class RetentionPolicyDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: 'Lapsed leads after two years' }) name!: string;
  @ApiProperty({ enum: RETENTION_OBJECT_TYPES, example: 'contacts' })
  objectType!: RetentionObjectType;
  @ApiProperty({ enum: RETENTION_CONDITIONS, example: 'stale_without_consent' })
  condition!: RetentionCondition;
  @ApiProperty({ example: 730 }) afterDays!: number;
  @ApiProperty({ enum: RETENTION_ACTIONS, example: 'anonymise' }) action!: RetentionAction;
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ example: 10, nullable: true, type: Number, description: LEGAL_PERIOD_TEXT })
  legalPeriodYears!: number | null;
  @ApiProperty({ example: AT }) createdAt!: Date;
  @ApiProperty({ example: AT }) updatedAt!: Date;
  @ApiProperty({ example: AT, nullable: true, type: String }) lastRunAt!: Date | null;
}

export class RetentionPolicyPageDto {
  @ApiProperty({ type: [RetentionPolicyDto] }) results!: RetentionPolicyDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

class DryRunOutcomesDto {
  @ApiProperty({ example: 12 }) deleted!: number;
  @ApiProperty({ example: 3, description: 'Anonymised (asked for, or kept by a blocker).' })
  anonymised!: number;
}

export class DryRunDto {
  @ApiProperty({ example: ID }) policyId!: string;
  @ApiProperty({ example: 15, description: 'Records a run now would change.' })
  candidates!: number;
  @ApiProperty({ type: DryRunOutcomesDto }) outcomes!: DryRunOutcomesDto;
  @ApiProperty({
    example: 1,
    description: 'Contacts meeting the condition whose processing is restricted: a run skips them.',
  })
  skippedRestricted!: number;
  @ApiProperty({
    type: [String],
    example: [ID],
    description: `The first ${DRY_RUN_PAGE} candidates, by id.`,
  })
  recordIds!: string[];
  @ApiPropertyOptional({
    type: [String],
    example: [ID],
    description: 'The same as `recordIds`, for a policy on contacts.',
  })
  contactIds?: string[];
}
