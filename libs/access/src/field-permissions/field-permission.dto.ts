import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { NestedArray } from '@custos/core';
import { PRINCIPAL_TYPES, type PrincipalType } from '../access.types';

export class PrincipalDto {
  @ApiProperty({ enum: PRINCIPAL_TYPES, example: 'team' })
  @IsIn(PRINCIPAL_TYPES)
  type!: PrincipalType;

  @ApiPropertyOptional({
    description: 'The user, team or role; omit for everyone and super_admins.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000002',
  })
  @IsOptional()
  @IsString()
  @Length(1, 36)
  id?: string;
}

export class FieldPermissionsDto {
  @ApiProperty({
    type: [PrincipalDto],
    description: 'Who may view values. Empty: everyone who may read the record.',
    example: [{ type: 'team', id: '0193a6c4-7f1e-7c3a-9d1e-000000000002' }],
  })
  @ArrayMaxSize(200)
  @NestedArray(() => PrincipalDto)
  view!: PrincipalDto[];

  @ApiProperty({
    type: [PrincipalDto],
    description:
      'Who may edit values (they must also be allowed to view). Empty: everyone who may update the record.',
    example: [{ type: 'super_admins' }],
  })
  @ArrayMaxSize(200)
  @NestedArray(() => PrincipalDto)
  edit!: PrincipalDto[];
}
