import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_HOLIDAYS } from './privacy-settings';

const HOLIDAYS = ['2026-12-25', '2027-01-01', '2027-04-05'];

export class UpdatePrivacySettingsDto {
  @ApiPropertyOptional({
    example: 'Europe/Paris',
    description:
      'IANA time zone the date of receipt is read in: received at 23:30 UTC in Europe/Paris is the next day there. Default `UTC`.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({
    type: [String],
    example: HOLIDAYS,
    maxItems: MAX_HOLIDAYS,
    description:
      'Public holidays (`YYYY-MM-DD`) a due date moves past, like a weekend; replaces the list. Open requests get their due date recomputed.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_HOLIDAYS)
  @IsString({ each: true })
  holidays?: string[];
}

export class PrivacySettingsDto {
  @ApiProperty({ example: 'Europe/Paris' }) timeZone!: string;
  @ApiProperty({ type: [String], example: HOLIDAYS }) holidays!: string[];
  @ApiProperty({
    example: '2026-12-06T05:00:00.000Z',
    nullable: true,
    type: String,
    description: '`null` while the account keeps the defaults (UTC, no holidays).',
  })
  updatedAt!: Date | null;
}

export class PrivacySettingsChangeDto extends PrivacySettingsDto {
  @ApiProperty({ example: 2, description: 'Open requests whose due date moved.' })
  deadlinesMoved!: number;
}
