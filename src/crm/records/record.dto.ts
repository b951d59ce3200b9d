import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
} from 'class-validator';
import { NestedArray, PageQueryDto, PagingDto } from '@custos/core';
import type { PropertyValue } from '../kernel';
import { TOTAL_MODES, type TotalMode } from './record-totals';

export const MAX_BATCH_SIZE = 100;

const PROPERTIES_EXAMPLE = {
  email: 'ada@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  lifecyclestage: 'lead',
};

export class RecordDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Property values by name.',
    example: PROPERTIES_EXAMPLE,
  })
  properties!: Record<string, PropertyValue>;

  @ApiProperty({
    type: [String],
    description: 'Properties you may not read: left out of `properties` (show a lock).',
    example: ['salary'],
  })
  redacted!: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Highly sensitive properties that hold a value you may read: masked here, shown one record at a time by `POST …/{recordId}/reveal` (audited).',
    example: ['national_id'],
  })
  masked?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Sensitive properties whose value was erased with its data subject (the key that sealed it was destroyed, GDPR Art. 17): left out of `properties` and gone for good.',
    example: ['diagnosis'],
  })
  erased?: string[];

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: false })
  archived!: boolean;

  @ApiPropertyOptional({
    example: '2026-11-23T09:00:00.000Z',
    description: 'Set on archived records; purged 90 days later.',
  })
  archivedAt?: string;
}

/** The total of a page, as `total` asked for it. */
export class PageTotalDto {
  @ApiPropertyOptional({
    description:
      'Number of matching records; left out only when the request asked for `total: none`.',
    example: 1342,
  })
  total?: number;

  @ApiPropertyOptional({
    description:
      'Set when `total` is not an exact count (only with `total: estimate`, above the threshold): then it is a lower bound (see `lowerBound`).',
    example: true,
  })
  estimated?: boolean;

  @ApiPropertyOptional({
    description: 'Set when the estimated `total` is a lower bound: at least this many match.',
    example: true,
  })
  lowerBound?: boolean;
}

export class RecordPageDto extends PageTotalDto {
  @ApiProperty({ type: [RecordDto] })
  results!: RecordDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateRecordDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Property values by internal name. `owner_id` assigns an owner (default: you).',
    example: PROPERTIES_EXAMPLE,
  })
  @IsObject()
  properties!: Record<string, unknown>;
}

export class UpdateRecordDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Only the named properties change; `null` or `""` clears a value.',
    example: { lifecyclestage: 'customer' },
  })
  @IsObject()
  properties!: Record<string, unknown>;
}

/** `?properties=a,b`: which properties to return (default: all). */
const splitNames = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

export class RecordReadQueryDto {
  @ApiPropertyOptional({
    description: 'Comma-separated property names to return; default all.',
    example: 'email,firstname',
    type: String,
  })
  @IsOptional()
  @Transform(splitNames)
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { each: true, message: 'properties must be property names' })
  properties?: string[];

  @ApiPropertyOptional({
    description: 'Read archived records instead of active ones.',
    example: false,
    default: false,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  archived?: boolean;
}

/** `?limit=&after=` plus the read options. */
export class ListRecordsQueryDto extends IntersectionType(PageQueryDto, RecordReadQueryDto) {
  @ApiPropertyOptional({
    enum: TOTAL_MODES,
    default: 'none',
    description:
      "Also answer the number of records: `exact`, or `estimate` (exact up to the server's threshold, `CUSTOS_EXACT_TOTAL_UP_TO`, above it an estimate flagged `estimated: true`). Default `none`: no total.",
    example: 'exact',
  })
  @IsOptional()
  @IsIn(TOTAL_MODES)
  total?: TotalMode;
}

export class DeleteRecordQueryDto {
  @ApiPropertyOptional({
    description: 'Delete permanently instead of archiving.',
    example: false,
    default: false,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  purge?: boolean;
}

export class BatchCreateDto {
  @ApiProperty({
    type: [CreateRecordDto],
    description: `1 to ${MAX_BATCH_SIZE} records; all are created or none.`,
    example: [{ properties: PROPERTIES_EXAMPLE }],
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @NestedArray(() => CreateRecordDto)
  inputs!: CreateRecordDto[];
}

export class BatchUpdateItemDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  @IsUUID()
  id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { lifecyclestage: 'customer' },
  })
  @IsObject()
  properties!: Record<string, unknown>;
}

export class BatchUpdateDto {
  @ApiProperty({
    type: [BatchUpdateItemDto],
    description: `1 to ${MAX_BATCH_SIZE} updates; all are applied or none.`,
    example: [
      { id: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e', properties: { lifecyclestage: 'customer' } },
    ],
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @NestedArray(() => BatchUpdateItemDto)
  inputs!: BatchUpdateItemDto[];
}

export class BatchReadDto {
  @ApiProperty({
    type: [String],
    description: `1 to ${MAX_BATCH_SIZE} ids.`,
    example: ['0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SIZE)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  ids!: string[];

  @ApiPropertyOptional({ type: [String], example: ['email', 'firstname'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  properties?: string[];
}

export class BatchResultDto {
  @ApiProperty({ enum: ['COMPLETE'], example: 'COMPLETE' })
  status!: 'COMPLETE';

  @ApiProperty({ type: [RecordDto] })
  results!: RecordDto[];
}

export class HistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only the history of this property.',
    example: 'lifecyclestage',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'property must be a property name' })
  property?: string;
}

export class HistoryEntryDto {
  @ApiProperty({ example: 'lifecyclestage' })
  property!: string;

  @ApiPropertyOptional({
    nullable: true,
    example: 'lead',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: 'Left out when listed in `masked` or `redacted`.',
  })
  oldValue?: PropertyValue;

  @ApiPropertyOptional({
    nullable: true,
    example: 'customer',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: 'Left out when listed in `masked` or `redacted`.',
  })
  newValue?: PropertyValue;

  @ApiPropertyOptional({
    enum: ['oldValue', 'newValue'],
    isArray: true,
    description:
      'Values of a highly sensitive property, masked as on the record: shown by `POST …/{recordId}/reveal` with `history: true` (audited).',
    example: ['newValue'],
  })
  masked?: ('oldValue' | 'newValue')[];

  @ApiPropertyOptional({
    enum: ['oldValue', 'newValue'],
    isArray: true,
    description: 'Values that could not be opened (tampered or damaged); logged, never shown.',
    example: [],
  })
  redacted?: ('oldValue' | 'newValue')[];

  @ApiPropertyOptional({
    enum: ['oldValue', 'newValue'],
    isArray: true,
    description: "Values erased with their data subject (the subject's key was destroyed).",
    example: [],
  })
  erased?: ('oldValue' | 'newValue')[];

  @ApiProperty({ enum: ['api', 'import', 'form', 'system', 'batch'], example: 'api' })
  source!: string;

  @ApiProperty({ example: { kind: 'user', id: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' } })
  actor!: { kind: string; id: string };

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  changedAt!: string;
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryEntryDto] })
  results!: HistoryEntryDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class RevealDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Which highly sensitive properties to reveal; default: all you may read.',
    example: ['national_id'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  properties?: string[];

  @ApiPropertyOptional({
    description:
      "Also reveal these properties' past values: every entry of the record's history for them, oldest first.",
    default: false,
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  history?: boolean;
}

export class RevealedValuesDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000001' })
  id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The revealed values by property name (null when the record has none).',
    example: { national_id: '756.1234.5678.97' },
  })
  properties!: Record<string, string | number | boolean | null>;

  @ApiProperty({
    type: [String],
    description: 'Requested properties you may not read, or whose value could not be opened.',
    example: [],
  })
  redacted!: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      "Requested properties whose value was erased with its data subject (the subject's key was destroyed).",
    example: [],
  })
  erased?: string[];

  @ApiPropertyOptional({
    type: [HistoryEntryDto],
    description: 'With `history: true`: the history of the revealed properties, oldest first.',
  })
  history?: HistoryEntryDto[];
}
