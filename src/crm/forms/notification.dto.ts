import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PagingDto } from '@custos/core';
import type { PropertyValue } from '../kernel/property-type';

export class NotificationFormDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000030' })
  id!: string;

  @ApiProperty({ example: 'Contact us' })
  name!: string;
}

/** The submitted record as the recipient may see it now. */
export class NotificationRecordDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000032' })
  id!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The form's fields you may read, by property name.",
    example: { email: 'ada@example.com', firstname: 'Ada' },
  })
  properties!: Record<string, PropertyValue>;

  @ApiProperty({
    type: [String],
    description: 'Form fields you may not read: left out of `properties` (show a lock).',
    example: ['national_id'],
  })
  redacted!: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Highly sensitive fields with a value you may read: reveal them on the record, one at a time (audited).',
    example: ['diagnosis'],
  })
  masked?: string[];
}

export class NotificationDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  id!: string;

  @ApiProperty({ enum: ['form_submission'], example: 'form_submission' })
  kind!: 'form_submission';

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  readAt!: string | null;

  @ApiProperty({ type: NotificationFormDto })
  form!: NotificationFormDto;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000031' })
  submissionId!: string;

  @ApiProperty({ example: 'contacts' })
  objectType!: string;

  @ApiProperty({
    description:
      'Whether you may read the record the submission created; when false, `record` is absent.',
    example: true,
  })
  recordAccessible!: boolean;

  @ApiPropertyOptional({ type: NotificationRecordDto })
  record?: NotificationRecordDto;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] })
  results!: NotificationDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
