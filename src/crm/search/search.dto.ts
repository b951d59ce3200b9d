import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_PAGE_SIZE, NestedArray, PagingDto } from '@custos/core';
import { PageTotalDto, RecordDto, TOTAL_MODES, type TotalMode } from '../records';

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'in',
  'not_in',
  'has_property',
  'not_has_property',
  'contains_token',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
type Scalar = string | number | boolean;

export class FilterDto {
  @ApiProperty({ example: 'lifecyclestage' })
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'propertyName must be a property name' })
  propertyName!: string;

  @ApiProperty({ enum: FILTER_OPERATORS, example: 'eq' })
  @IsIn(FILTER_OPERATORS)
  operator!: FilterOperator;

  @ApiPropertyOptional({
    description:
      'The compared value (all operators but in, not_in, has_property, not_has_property).',
    example: 'customer',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  })
  @IsOptional()
  value?: Scalar;

  @ApiPropertyOptional({
    description: 'Upper bound for between.',
    example: 100,
    oneOf: [{ type: 'string' }, { type: 'number' }],
  })
  @IsOptional()
  highValue?: Scalar;

  @ApiPropertyOptional({
    description: 'Values for in and not_in (1–100).',
    example: ['lead', 'customer'],
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  values?: Scalar[];
}

export class FilterGroupDto {
  @ApiProperty({ type: [FilterDto], description: 'AND-ed filters (1–10).' })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @NestedArray(() => FilterDto)
  filters!: FilterDto[];
}

export class SortDto {
  @ApiProperty({ example: 'lastname' })
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'propertyName must be a property name' })
  propertyName!: string;

  @ApiProperty({ enum: ['ASCENDING', 'DESCENDING'], example: 'ASCENDING' })
  @IsIn(['ASCENDING', 'DESCENDING'])
  direction!: 'ASCENDING' | 'DESCENDING';
}

export class SearchDto {
  @ApiPropertyOptional({
    type: [FilterGroupDto],
    description: 'OR-ed groups of AND-ed filters (up to 5 groups). None: every record.',
    example: [
      {
        filters: [
          { propertyName: 'country', operator: 'eq', value: 'DE' },
          { propertyName: 'lifecyclestage', operator: 'in', values: ['lead', 'customer'] },
        ],
      },
    ],
  })
  @IsOptional()
  @ArrayMaxSize(5)
  @NestedArray(() => FilterGroupDto)
  filterGroups?: FilterGroupDto[];

  @ApiPropertyOptional({
    type: [SortDto],
    description:
      'At most one sort; ties go by id in the same direction, the default order by id ascending. Empty values sort last.',
    example: [{ propertyName: 'lastname', direction: 'ASCENDING' }],
  })
  @IsOptional()
  @ArrayMaxSize(1)
  @NestedArray(() => SortDto)
  sorts?: SortDto[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Properties to return; default all.',
    example: ['email', 'firstname', 'lastname'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  properties?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 25, example: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Cursor from `paging.next.after` of the previous page (same filters and sorts).',
    example: 'eyJrIjpbMSwiTGFtYiIsIjAxOTMiXX0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  after?: string;

  @ApiPropertyOptional({
    enum: TOTAL_MODES,
    default: 'exact',
    description:
      "`exact`: count every match. `estimate`: count exactly up to the server's threshold (`CUSTOS_EXACT_TOTAL_UP_TO`, default 10,000), above it answer an estimate flagged `estimated: true`. `none`: leave `total` out (cheapest).",
    example: 'exact',
  })
  @IsOptional()
  @IsIn(TOTAL_MODES)
  total?: TotalMode;
}

export class SearchResultDto extends PageTotalDto {
  @ApiProperty({ type: [RecordDto] })
  results!: RecordDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
