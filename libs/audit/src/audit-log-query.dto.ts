import { PageQueryDto } from '@custos/core';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { AuditEventFilters } from './audit.types';

/** An action (`user.created`) or an action prefix ending in a dot (`user.`). */
export const ACTION_FILTER_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.?$/;

/** Query parameters of `GET /api/v1/audit-log`. */
export class AuditLogQueryDto extends PageQueryDto implements AuditEventFilters {
  @ApiPropertyOptional({
    description: 'Only events by this actor (user id or API key id).',
    example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  actorId?: string;

  @ApiPropertyOptional({
    description: 'An action, or a prefix ending in a dot for a family of actions.',
    example: 'user.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(ACTION_FILTER_PATTERN, {
    message:
      'action must be an action such as user.created, or a prefix ending in a dot such as user.',
  })
  action?: string;

  @ApiPropertyOptional({ description: 'Only events about this kind of thing.', example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional({
    description: 'Only events about this thing.',
    example: '0193a6c4-7f1e-7c3a-9d1e-aaaaaaaaaaaa',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  targetId?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Events at or after this time.',
    example: '2026-01-01T00:00:00.000Z',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Events strictly before this time.',
    example: '2026-02-01T00:00:00.000Z',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}
