import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { CONSENT_CHANNELS, type ConsentChannel } from '@custos/consent';
import { NestedArray, PagingDto } from '@custos/core';
import { OBJECT_TYPE_NAMES, type PropertyValue } from '../kernel';
import { NotificationDto } from '../../notifications';

/** Most consent checkboxes one form may have. */
export const MAX_FORM_CONSENTS = 20;

/** Most fields one form may have. */
export const MAX_FORM_FIELDS = 50;
/** Most users one form may notify. */
export const MAX_FORM_RECIPIENTS = 20;

const FIELDS_EXAMPLE = [
  { property: 'email', label: 'Your email', required: true },
  { property: 'firstname', label: 'First name', required: false },
];
const NOTIFY_EXAMPLE = ['0193a6c4-7f1e-7c3a-9d1e-000000000002'];

export class FormFieldDto {
  @ApiProperty({ description: 'Internal name of a writable property.', example: 'email' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'property must be a property name' })
  property!: string;

  @ApiPropertyOptional({
    description: 'Label shown on the form; default: the property label.',
    example: 'Your email',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string | null;

  @ApiPropertyOptional({
    description: 'A submission must fill it (always so for required properties). Default false.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  required?: boolean;
}

export class FormFieldViewDto {
  @ApiProperty({ example: 'email' })
  property!: string;

  @ApiProperty({ example: 'Your email', nullable: true, type: String })
  label!: string | null;

  @ApiProperty({ example: true })
  required!: boolean;
}

const CONSENTS_EXAMPLE = [
  { purposeId: '0193a6c4-7f1e-7c3a-9d1e-000000000040', channel: 'email', noticeVersion: 1 },
];

/** A consent checkbox: a purpose on a channel with the notice version its label shows. */
export class FormConsentDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  @IsUUID()
  purposeId!: string;

  @ApiProperty({ enum: CONSENT_CHANNELS, example: 'email' })
  @IsIn(CONSENT_CHANNELS)
  channel!: ConsentChannel;

  @ApiProperty({ description: 'The notice version the box shows.', example: 1 })
  @IsInt()
  @Min(1)
  noticeVersion!: number;
}

export class FormDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000030' })
  id!: string;

  @ApiProperty({ example: 'Contact us' })
  name!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  objectType!: string;

  @ApiProperty({ type: [FormFieldViewDto], example: FIELDS_EXAMPLE })
  fields!: FormFieldViewDto[];

  @ApiProperty({ type: [String], example: NOTIFY_EXAMPLE })
  notify!: string[];

  @ApiProperty({ type: [FormConsentDto], example: CONSENTS_EXAMPLE })
  consents!: FormConsentDto[];

  @ApiProperty({ description: 'Inactive forms refuse submissions (404).', example: true })
  active!: boolean;

  @ApiProperty({
    description: 'Where the form is submitted, without credentials.',
    example: '/api/v1/forms/0193a6c4-7f1e-7c3a-9d1e-000000000030/submissions',
  })
  submitUrl!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class FormPageDto {
  @ApiProperty({ type: [FormDto] })
  results!: FormDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateFormDto {
  @ApiProperty({ example: 'Contact us' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  @IsIn(OBJECT_TYPE_NAMES)
  objectType!: string;

  @ApiProperty({
    type: [FormFieldDto],
    description: `1 to ${MAX_FORM_FIELDS} fields, in display order, each property once.`,
    example: FIELDS_EXAMPLE,
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FORM_FIELDS)
  @NestedArray(() => FormFieldDto)
  fields!: FormFieldDto[];

  @ApiPropertyOptional({
    type: [String],
    description: `Users of the account notified of each submission (at most ${MAX_FORM_RECIPIENTS}). Default none.`,
    example: NOTIFY_EXAMPLE,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FORM_RECIPIENTS)
  @IsUUID('all', { each: true })
  notify?: string[];

  @ApiPropertyOptional({
    type: [FormConsentDto],
    description: `Consent checkboxes (contacts forms only), one per purpose, at most ${MAX_FORM_CONSENTS}.`,
    example: CONSENTS_EXAMPLE,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_FORM_CONSENTS)
  @NestedArray(() => FormConsentDto)
  consents?: FormConsentDto[];

  @ApiPropertyOptional({ description: 'Accepts submissions. Default true.', example: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateFormDto {
  @ApiPropertyOptional({ example: 'Contact us (new)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    type: [FormFieldDto],
    description: 'Replaces the fields.',
    example: FIELDS_EXAMPLE,
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FORM_FIELDS)
  @NestedArray(() => FormFieldDto)
  fields?: FormFieldDto[];

  @ApiPropertyOptional({ type: [String], example: NOTIFY_EXAMPLE })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FORM_RECIPIENTS)
  @IsUUID('all', { each: true })
  notify?: string[];

  @ApiPropertyOptional({
    type: [FormConsentDto],
    description: `Replaces the consent checkboxes (contacts forms only), one per purpose, at most ${MAX_FORM_CONSENTS}.`,
    example: CONSENTS_EXAMPLE,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_FORM_CONSENTS)
  @NestedArray(() => FormConsentDto)
  consents?: FormConsentDto[];

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class SubmitFormDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "Values by property name: only the form's fields, file fields excepted (those are multipart parts `files[<property>]`). Strings, numbers, booleans or null; in a multipart submission, text parts `fields[<property>]`.",
    example: { email: 'ada@example.com', firstname: 'Ada' },
  })
  @IsOptional()
  @IsObject()
  fields?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    description:
      'The purpose ids of the consent boxes the person ticked; an unticked box is left out and records nothing.',
    example: ['0193a6c4-7f1e-7c3a-9d1e-000000000040'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_FORM_CONSENTS)
  @IsString({ each: true })
  consents?: string[];
}

export class SubmissionAcceptedDto {
  @ApiProperty({
    description: "Always `accepted`: the result is in the form's submission log, for its admins.",
    example: 'accepted',
  })
  status!: 'accepted';
}

export class FormSubmissionDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000031' })
  id!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  submittedAt!: string;

  @ApiProperty({ enum: ['created', 'failed'], example: 'created' })
  status!: 'created' | 'failed';

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The record the submission created; `null` when it created none or when you may not read that record.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000032',
  })
  recordId!: string | null;

  @ApiPropertyOptional({
    description: 'Why the submission created no record.',
    example: 'crm.unique_value_taken',
  })
  errorCode?: string;
}

export class FormSubmissionPageDto {
  @ApiProperty({ type: [FormSubmissionDto] })
  results!: FormSubmissionDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

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

/** A `form_submission` notification in `GET /api/v1/me/notifications`. */
export class FormSubmissionNotificationDto extends NotificationDto {
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

/** The fields a form-submission notification adds to the common ones. */
export type FormSubmissionNotificationFields = Omit<
  FormSubmissionNotificationDto,
  keyof NotificationDto
>;
