import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { PagingDto } from '@custos/core';
import { OBJECT_TYPE_NAMES } from '../object-types';
import { FilterGroupDto } from '../search/search.dto';

const FILTER_EXAMPLE = [
  { filters: [{ propertyName: 'lifecyclestage', operator: 'eq', value: 'customer' }] },
];

export class SegmentDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000020' })
  id!: string;

  @ApiProperty({ example: 'German customers' })
  name!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  objectType!: string;

  @ApiProperty({ type: [FilterGroupDto], example: FILTER_EXAMPLE })
  filterGroups!: FilterGroupDto[];

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class SegmentPageDto {
  @ApiProperty({ type: [SegmentDto] })
  results!: SegmentDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateSegmentDto {
  @ApiProperty({ example: 'German customers' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  @IsIn(OBJECT_TYPE_NAMES)
  objectType!: string;

  @ApiProperty({
    type: [FilterGroupDto],
    description: 'OR-ed groups of AND-ed filters, as in search.',
    example: FILTER_EXAMPLE,
  })
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => FilterGroupDto)
  filterGroups!: FilterGroupDto[];
}

export class UpdateSegmentDto {
  @ApiPropertyOptional({ example: 'German customers (active)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [FilterGroupDto], example: FILTER_EXAMPLE })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => FilterGroupDto)
  filterGroups?: FilterGroupDto[];
}
