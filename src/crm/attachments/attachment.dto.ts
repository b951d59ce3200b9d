import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PagingDto } from '@custos/core';
import { OBJECT_TYPE_NAMES } from '../kernel';

/** The multipart body of an upload (documentation only: multer reads it). */
export class AttachmentUploadDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      'The file, as the multipart part named `file`. At most `CUSTOS_ATTACHMENT_MAX_BYTES` (default 25 MB). Its name is kept (sanitised) and shown in lists; its content type is taken from the part.',
    example: 'referral-letter.pdf',
  })
  file!: unknown;

  @ApiPropertyOptional({
    description:
      'The file property of the record that will hold this file (write its id there next). The file is held by it from the upload on, so it is never visible to readers of the record who may not read that property. Needs edit rights on the property.',
    example: 'resume',
  })
  property?: string;
}

/** The text fields of an upload (the file arrives as the `file` part). */
export class UploadAttachmentDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  property?: string;
}

export class AttachmentCreatorDto {
  @ApiProperty({ example: 'user', description: 'Kind of actor that uploaded the file.' })
  kind!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000001' })
  id!: string;
}

export class AttachmentDto {
  @ApiProperty({
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000070',
    description: 'Opaque id (UUIDv7); the content is only ever served to authenticated callers.',
  })
  id!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  objectType!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000010' })
  recordId!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'resume',
    description:
      'The file property of the record that holds this file (its value is this id); `null` for a file no property holds. A file held by a property you may not read is not listed, and 404 like a missing one.',
  })
  property!: string | null;

  @ApiProperty({ example: 'referral-letter.pdf' })
  fileName!: string;

  @ApiProperty({ example: 'application/pdf' })
  contentType!: string;

  @ApiProperty({ example: 48213, description: 'Size of the file in bytes.' })
  size!: number;

  @ApiProperty({
    example: true,
    description:
      'Whether the file is stored encrypted (uploaded while sensitive data was enabled). Encrypted files are never served to support sessions.',
  })
  encrypted!: boolean;

  @ApiProperty({ example: '2025-03-01T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: AttachmentCreatorDto })
  createdBy!: AttachmentCreatorDto;
}

export class AttachmentPageDto {
  @ApiProperty({ type: [AttachmentDto] })
  results!: AttachmentDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
