import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { NestedArray, PagingDto } from '@custos/core';
import { OBJECT_TYPE_NAMES } from '../kernel';
import { FilterDto, FilterGroupDto } from '../search';
import { SEGMENT_SHARING, type SegmentSharing } from './segment.entity';

const FILTER_EXAMPLE = [
  { filters: [{ propertyName: 'lifecyclestage', operator: 'eq', value: 'customer' }] },
];

const SHARING_DESCRIPTION =
  'Who may use the segment: `private` (its owner only), `shared_read` (everyone in the account sees it and reads its members, only the owner edits), `shared_edit` (everyone edits). Super admins see and manage every segment. Only the owner or a super admin changes the sharing or deletes the segment.';

/** A filter of a saved segment as shown to one reader. */
export class SegmentFilterDto extends FilterDto {
  @ApiPropertyOptional({
    example: true,
    description:
      'Present (true) when you may not read the filtered property, or when the filter compares a sensitive property (its values are stored only as blind-index tokens, so nobody sees them again; send them anew to change the filters): `value`, `highValue` and `values` are then left out, so a segment never quotes a value you may not read.',
  })
  valueRedacted?: boolean;
}

export class SegmentFilterGroupDto {
  @ApiProperty({ type: [SegmentFilterDto], description: 'AND-ed filters.' })
  filters!: SegmentFilterDto[];
}

export class SegmentDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000020' })
  id!: string;

  @ApiProperty({ example: 'German customers' })
  name!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  objectType!: string;

  @ApiProperty({ type: [SegmentFilterGroupDto], example: FILTER_EXAMPLE })
  filterGroups!: SegmentFilterGroupDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000001',
    description: 'The user who created it; null when none is known (segments from before owners).',
  })
  ownerUserId!: string | null;

  @ApiProperty({ enum: SEGMENT_SHARING, example: 'shared_read', description: SHARING_DESCRIPTION })
  sharing!: SegmentSharing;

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
  @ArrayMaxSize(5)
  @NestedArray(() => FilterGroupDto)
  filterGroups!: FilterGroupDto[];

  @ApiPropertyOptional({
    enum: SEGMENT_SHARING,
    default: 'private',
    example: 'shared_read',
    description: SHARING_DESCRIPTION,
  })
  @IsOptional()
  @IsIn(SEGMENT_SHARING)
  sharing?: SegmentSharing;
}

export class UpdateSegmentDto {
  @ApiPropertyOptional({ example: 'German customers (active)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [FilterGroupDto], example: FILTER_EXAMPLE })
  @IsOptional()
  @ArrayMaxSize(5)
  @NestedArray(() => FilterGroupDto)
  filterGroups?: FilterGroupDto[];

  @ApiPropertyOptional({
    enum: SEGMENT_SHARING,
    example: 'shared_edit',
    description: 'The owner and super admins only (403 for others).',
  })
  @IsOptional()
  @IsIn(SEGMENT_SHARING)
  sharing?: SegmentSharing;
}
