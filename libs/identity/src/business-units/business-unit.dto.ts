import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PagingDto } from '@custos/core';

export class BusinessUnitDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000003' })
  id!: string;

  @ApiProperty({ example: 'EMEA Sales' })
  name!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Parent unit; `null` for the root.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000001',
  })
  parentId!: string | null;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class BusinessUnitPageDto {
  @ApiProperty({ type: [BusinessUnitDto] })
  results!: BusinessUnitDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateBusinessUnitDto {
  @ApiProperty({ example: 'EMEA Sales', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    description: 'Parent unit; default the root.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000001',
  })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class UpdateBusinessUnitDto {
  @ApiPropertyOptional({ example: 'EMEA', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    description: 'Move the unit under another one (not under itself or its descendants).',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000001',
  })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}
