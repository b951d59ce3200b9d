import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto, PagingDto } from '@custos/core';
import type { DataCategory } from '../taxonomy/categories';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';

/** The subject to look up (in the body: identifiers never go into URLs), and the page. */
export class SubjectLookupDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'ada@example.com', description: 'At least one identifier.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ example: '+44 20 7946 0000' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({
    example: 'Ada Lovelace',
    description: 'Matched exactly; first and last name columns are matched on both parts.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: ID, description: "A contact's or a user's id." })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;
}

export class LookupFieldDto {
  @ApiProperty({ example: 'email', description: 'The column, or `column.key` (`custom.ssn`).' })
  field!: string;
  @ApiProperty({ example: 'user.contact.email' }) category!: DataCategory;
  @ApiProperty({ description: 'The identifier was found here (sealed values: by token).' })
  matched!: boolean;
  @ApiProperty({ description: 'The row holds a value here.' }) held!: boolean;
  @ApiProperty({ description: 'Encrypted in the application.' }) sealed!: boolean;
  @ApiProperty({ description: 'References a file in the file store.' }) file!: boolean;
  @ApiPropertyOptional({
    example: 'ada@example.com',
    description: 'The value, for sources whose owner reads them under your rights.',
  })
  value?: unknown;
  @ApiPropertyOptional({ description: 'You may not read this value (field permissions).' })
  withheld?: boolean;
}

export class LookupItemDto {
  @ApiProperty({ example: 'crm.contact' }) source!: string;
  @ApiProperty({ example: 'crm_contact' }) table!: string;
  @ApiProperty({ example: ID, description: 'The key of the row (`a/b` for a composite key).' })
  rowId!: string;
  @ApiProperty({ description: "Found by its subject column (the subject's id), not by a value." })
  bySubject!: boolean;
  @ApiProperty({ type: [LookupFieldDto] }) fields!: LookupFieldDto[];
  @ApiPropertyOptional({
    example: { exportId: ID, requester: { kind: 'user', label: 'Ada' }, sha256: 'e3b0c442…' },
    description:
      "What the source's owner tells about the row: for an export that carried the subject, the export, its requester, when, which properties and the file's SHA-256.",
  })
  details?: Record<string, unknown>;
}

export class LookupPageDto {
  @ApiProperty({ type: [LookupItemDto], description: 'By source, then row id.' })
  results!: LookupItemDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}
