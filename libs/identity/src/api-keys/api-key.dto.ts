import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import {
  PagingDto,
  TASK_PRIVILEGES,
  TASK_PRIVILEGE_LIST_SCHEMA,
  type TaskPrivilege,
} from '@custos/core';

export class ApiKeyDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000004' })
  id!: string;

  @ApiProperty({ example: 'Data warehouse sync' })
  name!: string;

  @ApiProperty({
    description: 'First characters of the key, to tell keys apart.',
    example: 'ck_0193a6c4',
  })
  hint!: string;

  @ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['view_audit_log'] })
  scopes!: TaskPrivilege[];

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  createdByUserId!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, example: '2027-11-22T00:00:00.000Z' })
  expiresAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T09:12:00.000Z' })
  lastUsedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description:
      'The key itself. Shown only in this response: store it now. Send it as `X-API-Key` or as a bearer token.',
    example: 'ck_0193a6c47f1e7c3a9d1e000000000004_Qm9ndXMga2V5IGZvciBkb2N1bWVudGF0aW9uIG9ubHk',
  })
  key!: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  results!: ApiKeyDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

/** Cheap bound checked before each scope is; unique known privileges are fewer anyway. */
const MAX_SCOPES = 100;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Data warehouse sync', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    ...TASK_PRIVILEGE_LIST_SCHEMA,
    description: 'Privileges of the private app; never more than its creator holds.',
    example: ['view_audit_log'],
  })
  @IsArray()
  @IsIn(TASK_PRIVILEGES, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(MAX_SCOPES)
  scopes!: TaskPrivilege[];

  @ApiPropertyOptional({
    description: 'When the key stops working; default never.',
    example: '2027-11-22T00:00:00.000Z',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}
