import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PagingDto } from '@custos/core';
import { OBJECT_TYPE_NAMES } from '../kernel';
import { IMPORT_MODES, IMPORT_STATUSES, type ImportMode, type ImportStatus } from './import.entity';

const MAPPING_EXAMPLE = { Email: 'email', 'First name': 'firstname', Stage: 'lifecyclestage' };

/** The text fields of `POST /api/v1/imports` (the file arrives as the `file` part). */
export class CreateImportDto {
  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  @IsString()
  @MaxLength(32)
  objectType!: string;

  @ApiProperty({
    type: 'string',
    description:
      'JSON object: CSV column (as in the header row) → property name. Unmapped columns are ignored.',
    example: JSON.stringify(MAPPING_EXAMPLE),
  })
  @IsDefined()
  mapping!: unknown;

  @ApiProperty({
    enum: IMPORT_MODES,
    description:
      '`create` adds a record per row; `update` changes the records found by `uniqueProperty` (rows that match none are errors); `upsert` updates the match or creates one.',
    example: 'upsert',
  })
  @IsIn(IMPORT_MODES)
  mode!: ImportMode;

  @ApiPropertyOptional({
    description:
      'For update and upsert: the unique property (mapped from a column) that finds each record, e.g. `email` for contacts, `domain` for companies.',
    example: 'email',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  uniqueProperty?: string;
}

/** The multipart body as documented: the text fields and the file. */
export class ImportUploadDto extends CreateImportDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'CSV (RFC 4180, UTF-8) with a header row; quoted fields may hold commas, quotes ("") and line breaks. Empty cells leave values as they are. At most `CUSTOS_IMPORT_MAX_BYTES` (default 50 MB).',
    example: 'contacts.csv',
  })
  file!: unknown;
}

export class ImportActorDto {
  @ApiProperty({ example: 'user' })
  kind!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000001' })
  id!: string;

  @ApiProperty({ example: 'admin@example.com' })
  label!: string;
}

export class ImportDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000030' })
  id!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  objectType!: string;

  @ApiProperty({ enum: IMPORT_MODES, example: 'upsert' })
  mode!: ImportMode;

  @ApiProperty({ type: 'string', nullable: true, example: 'email' })
  uniqueProperty!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: MAPPING_EXAMPLE,
  })
  mapping!: Record<string, string>;

  @ApiProperty({ example: 'contacts.csv' })
  fileName!: string;

  @ApiProperty({ example: 48213 })
  fileBytes!: number;

  @ApiProperty({
    enum: IMPORT_STATUSES,
    description:
      '`pending` until the worker starts, `running`, then `done`, or `failed` when the import as a whole stopped (see `error`).',
    example: 'running',
  })
  status!: ImportStatus;

  @ApiProperty({
    description: 'Data rows in the file (the header row is not counted).',
    example: 1000,
  })
  totalRows!: number;

  @ApiProperty({ description: 'Rows applied or reported so far.', example: 400 })
  processedRows!: number;

  @ApiProperty({ example: 310 })
  created!: number;

  @ApiProperty({ description: 'Rows that changed an existing record.', example: 80 })
  updated!: number;

  @ApiProperty({ description: 'Rows whose record already had these values.', example: 6 })
  unchanged!: number;

  @ApiProperty({ description: 'Rows refused; each has an entry in `errors`.', example: 4 })
  failed!: number;

  @ApiProperty({ description: 'Entries at `/imports/{id}/errors`.', example: 4 })
  errorCount!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why the import failed as a whole.',
    example: null,
  })
  error!: string | null;

  @ApiProperty({ type: ImportActorDto })
  createdBy!: ImportActorDto;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:03.000Z' })
  updatedAt!: string;

  @ApiProperty({ type: 'string', nullable: true, example: '2026-11-22T18:42:00.100Z' })
  startedAt!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: null })
  finishedAt!: string | null;
}

export class ImportPageDto {
  @ApiProperty({ type: [ImportDto] })
  results!: ImportDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class ImportErrorDto {
  @ApiProperty({ description: '1-based data row (the header row is not counted).', example: 7 })
  row!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The CSV column at fault; null when the row as a whole is.',
    example: 'Birthday',
  })
  column!: string | null;

  @ApiProperty({
    description: 'Why the row was refused. Never quotes the cell.',
    example: 'birthdate: expected a date (YYYY-MM-DD)',
  })
  reason!: string;
}

export class ImportErrorPageDto {
  @ApiProperty({ type: [ImportErrorDto] })
  results!: ImportErrorDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
