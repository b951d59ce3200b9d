import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQueryDto, PagingDto, type ActorKind } from '@custos/core';
import {
  EXPORT_FORMATS,
  EXPORT_STATES,
  type ExportFormat,
  type ExportState,
} from '../export.entity';
import type { ExportView } from '../export.view';
import { EXPORT_SETTING_LIMITS, type ExportSettings } from '../settings/export-settings.service';

const EXAMPLE_ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';

export class CreateExportDto {
  @ApiProperty({ description: 'The host source to export from.', example: 'records' })
  @IsString()
  @MaxLength(64)
  source!: string;

  @ApiProperty({ enum: EXPORT_FORMATS, example: 'csv' })
  @IsIn(EXPORT_FORMATS)
  format!: ExportFormat;

  @ApiPropertyOptional({
    description:
      'What to export, as the source defines it (object type, filter groups, segment, record ids).',
    example: { objectType: 'contacts', filterGroups: [] },
  })
  @IsOptional()
  @IsObject()
  selection?: Record<string, unknown>;

  @ApiProperty({ description: 'The columns, in order.', example: ['firstname', 'email'] })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  properties!: string[];

  @ApiPropertyOptional({
    description: 'Highly sensitive properties to export unmasked (needs reveal rights; audited).',
    example: [],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  reveal?: string[];

  @ApiPropertyOptional({
    description: 'User ids of approvers to notify, when the export needs approval.',
    example: [EXAMPLE_ID],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  notify?: string[];

  @ApiPropertyOptional({ description: 'A note for the approvers.', example: 'For the Q3 mailing.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  message?: string;
}

export class RejectExportDto {
  @ApiProperty({
    description: 'Why (the requester is told).',
    example: 'Too broad: filter by region.',
  })
  @IsString()
  @MaxLength(1000)
  reason!: string;
}

export class ListExportsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_STATES, example: 'done' })
  @IsOptional()
  @IsIn(EXPORT_STATES)
  state?: ExportState;
}

class ExportRequesterDto {
  @ApiProperty({ example: 'user' })
  kind!: ActorKind;
  @ApiProperty({ example: EXAMPLE_ID })
  id!: string;
  @ApiProperty({ example: EXAMPLE_ID, nullable: true, type: String })
  userId!: string | null;
  @ApiProperty({ example: 'ada@example.com' })
  label!: string;
}

export class ExportDto implements ExportView {
  @ApiProperty({ example: EXAMPLE_ID })
  id!: string;
  @ApiProperty({ enum: EXPORT_STATES, example: 'running' })
  state!: ExportState;
  @ApiProperty({ example: 'records' })
  source!: string;
  @ApiProperty({ enum: EXPORT_FORMATS, example: 'csv' })
  format!: ExportFormat;
  @ApiProperty({
    description: "The source's description: what is exported, never a filter value.",
    example: { objectType: 'contacts', filter: 'filter groups: 1' },
  })
  description!: Record<string, unknown>;
  @ApiProperty({ example: ['firstname', 'email'] })
  properties!: string[];
  @ApiProperty({ example: [] })
  reveal!: string[];
  @ApiProperty({
    description: 'It holds sensitive values (approved, sealed at rest).',
    example: false,
  })
  sensitive!: boolean;
  @ApiProperty({ example: 1200 })
  rowsDone!: number;
  @ApiProperty({ example: 5000 })
  rowsTotal!: number;
  @ApiProperty({ type: ExportRequesterDto })
  requester!: ExportRequesterDto;
  @ApiProperty({ example: null, nullable: true, type: String })
  approvalId!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String })
  decidedByUserId!: string | null;
  @ApiProperty({ description: 'Why it was rejected.', example: null, nullable: true, type: String })
  reason!: string | null;
  @ApiProperty({ description: 'Bytes of the file.', example: null, nullable: true, type: Number })
  size!: number | null;
  @ApiProperty({
    description: 'SHA-256 (hex) of the file: the receipt, also in its audit events.',
    example: null,
    nullable: true,
    type: String,
  })
  sha256!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, format: 'date-time' })
  fileExpiresAt!: string | null;
  @ApiProperty({ example: 0 })
  downloads!: number;
  @ApiProperty({
    description: 'Why it failed (a code).',
    example: null,
    nullable: true,
    type: String,
  })
  errorCode!: string | null;
  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;
  @ApiProperty({ example: '2026-11-22T18:42:05.000Z' })
  updatedAt!: string;
  @ApiProperty({ example: '2026-11-22T18:42:01.000Z', nullable: true, type: String })
  startedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String })
  finishedAt!: string | null;
}

export class ExportPageDto {
  @ApiProperty({ type: [ExportDto] })
  results!: ExportDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class ExportSettingsDto implements ExportSettings {
  @ApiProperty({ description: 'Exports above the threshold need approval.', example: true })
  @IsBoolean()
  approvalRequired!: boolean;

  @ApiProperty({ example: 1000 })
  @IsInt()
  @Min(EXPORT_SETTING_LIMITS.recordThreshold[0])
  @Max(EXPORT_SETTING_LIMITS.recordThreshold[1])
  recordThreshold!: number;

  @ApiProperty({ description: 'Hours before a pending request expires.', example: 72 })
  @IsInt()
  @Min(EXPORT_SETTING_LIMITS.pendingExpiryHours[0])
  @Max(EXPORT_SETTING_LIMITS.pendingExpiryHours[1])
  pendingExpiryHours!: number;

  @ApiProperty({ description: 'Days a file stays downloadable.', example: 7 })
  @IsInt()
  @Min(EXPORT_SETTING_LIMITS.fileTtlDays[0])
  @Max(EXPORT_SETTING_LIMITS.fileTtlDays[1])
  fileTtlDays!: number;
}
