import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { ACCOUNT_EDITIONS, type AccountEdition } from '@custos/identity';

/** `eu`, `us`, `eu-central`, `ap-southeast-2`: lower-case words joined by hyphens, at most 32 characters. */
export const DATA_REGION_PATTERN = /^(?=.{2,32}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** An account as the platform operator sees it. */
export class OperatorAccountDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({ example: 'Demo' })
  name!: string;

  @ApiProperty({ enum: ACCOUNT_EDITIONS, example: 'enterprise' })
  edition!: AccountEdition;

  @ApiProperty({ example: 'eu' })
  dataRegion!: string;

  @ApiProperty({
    example: true,
    description: 'Once true, the data region can no longer change (the setting is irreversible).',
  })
  sensitiveDataEnabled!: boolean;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

/** What the operator may change; give at least one field. */
export class UpdateOperatorAccountDto {
  @ApiPropertyOptional({
    enum: ACCOUNT_EDITIONS,
    example: 'professional',
    description:
      'Allowed at any time. Below `enterprise`, sensitive data is kept: super admins may still ' +
      'delete sensitive properties and see and edit their values; everyone else loses access.',
  })
  @IsOptional()
  @IsIn(ACCOUNT_EDITIONS, { message: `edition must be one of ${ACCOUNT_EDITIONS.join(', ')}` })
  edition?: AccountEdition;

  @ApiPropertyOptional({
    example: 'eu-central',
    description:
      'Lower-case words joined by hyphens (2–32 characters). Refused with 409 while the account ' +
      'has sensitive data enabled.',
  })
  @IsOptional()
  @IsString()
  @Matches(DATA_REGION_PATTERN, {
    message:
      'dataRegion must be lower-case letters and digits joined by hyphens, 2 to 32 characters',
  })
  dataRegion?: string;
}
