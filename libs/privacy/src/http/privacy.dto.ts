import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { LEGAL_BASES, type LegalBasis } from '@custos/consent';
import { PageQueryDto, PagingDto } from '@custos/core';
import {
  PRIVACY_REQUEST_CHANNELS,
  PRIVACY_REQUEST_STATUSES,
  PRIVACY_REQUEST_TYPES,
  type PrivacyRequestChannel,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
} from '../requests/privacy-request.types';
import type { DataCategory } from '../taxonomy/categories';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const AT = '2026-12-05T18:00:00.000Z';

export class CreatePrivacyRequestDto {
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES, example: 'access' })
  @IsIn(PRIVACY_REQUEST_TYPES)
  type!: PrivacyRequestType;

  @ApiProperty({ enum: PRIVACY_REQUEST_CHANNELS, example: 'email' })
  @IsIn(PRIVACY_REQUEST_CHANNELS)
  channel!: PrivacyRequestChannel;

  @ApiPropertyOptional({
    example: 'ada@example.com',
    description: 'At least one of the subject fields.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  subjectEmail?: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  subjectName?: string;

  @ApiPropertyOptional({ example: '+44 20 7946 0000' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  subjectPhone?: string;

  @ApiPropertyOptional({ example: ID, description: 'The contact the subject was matched to.' })
  @IsOptional()
  @IsUUID()
  subjectContactId?: string;

  @ApiPropertyOptional({ example: 'Please send me a copy of what you hold about me.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  details?: string;

  @ApiPropertyOptional({
    example: AT,
    description:
      'When the request reached the account (default: now); the clock starts on its UTC date.',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  receivedAt?: Date;

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: '`false`: the subject must still prove who they are (status identity_unverified).',
  })
  @IsOptional()
  @IsBoolean()
  identityVerified?: boolean;

  @ApiPropertyOptional({ example: ID, description: 'A member holding manage_privacy_requests.' })
  @IsOptional()
  @IsUUID()
  assigneeUserId?: string;
}

export class ListPrivacyRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PRIVACY_REQUEST_STATUSES, example: 'in_progress' })
  @IsOptional()
  @IsIn(PRIVACY_REQUEST_STATUSES)
  status?: PrivacyRequestStatus;

  @ApiPropertyOptional({ enum: ['overdue', 'due_soon'], example: 'overdue' })
  @IsOptional()
  @IsIn(['overdue', 'due_soon'])
  flag?: 'overdue' | 'due_soon';

  @ApiPropertyOptional({ example: ID })
  @IsOptional()
  @IsUUID()
  assigneeUserId?: string;
}

export class AssignPrivacyRequestDto {
  @ApiProperty({ example: ID, nullable: true, type: String, description: '`null` unassigns.' })
  @IsOptional()
  @IsUUID()
  assigneeUserId!: string | null;
}

export class TransitionPrivacyRequestDto {
  @ApiProperty({
    enum: ['in_progress'],
    example: 'in_progress',
    description: 'Start the work (from received or identity unverified).',
  })
  @IsIn(['in_progress'])
  status!: 'in_progress';
}

export class ReasonDto {
  @ApiProperty({ example: 'The subject holds records in three systems that must be searched.' })
  @IsString()
  @MaxLength(2000)
  reason!: string;
}

export class CompletePrivacyRequestDto {
  @ApiPropertyOptional({ example: 'Package handed over on 2026-12-10.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class MarkDuplicateDto {
  @ApiProperty({ example: ID, description: 'The request this one repeats.' })
  @IsUUID()
  duplicateOfId!: string;
}

export class PrivacyRequestDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES, example: 'access' }) type!: PrivacyRequestType;
  @ApiProperty({ enum: PRIVACY_REQUEST_STATUSES, example: 'received' })
  status!: PrivacyRequestStatus;
  @ApiProperty({ enum: PRIVACY_REQUEST_CHANNELS, example: 'email' })
  channel!: PrivacyRequestChannel;
  @ApiProperty({ example: 'ada@example.com', nullable: true, type: String })
  subjectEmail!: string | null;
  @ApiProperty({ example: 'Ada Lovelace', nullable: true, type: String })
  subjectName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) subjectPhone!: string | null;
  @ApiProperty({ example: ID, nullable: true, type: String }) subjectContactId!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) details!: string | null;
  @ApiProperty({ example: ID, nullable: true, type: String }) assigneeUserId!: string | null;
  @ApiProperty({ example: AT }) receivedAt!: string;
  @ApiProperty({ example: '2026-12-05', description: 'The UTC date the clock starts on.' })
  receivedOn!: string;
  @ApiProperty({
    example: '2027-01-05',
    description:
      'One calendar month from receipt (three once extended), plus paused days, moved off weekends.',
  })
  dueOn!: string;
  @ApiProperty({ example: false }) extended!: boolean;
  @ApiProperty({ example: null, nullable: true, type: String }) extensionReason!: string | null;
  @ApiProperty({ example: 0, description: 'Calendar days the clock stood still.' })
  pausedDays!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) pausedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) resolution!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) duplicateOfId!: string | null;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'An earlier request of the same subject and type within the duplicate window.',
  })
  possibleDuplicateOfId!: string | null;
  @ApiProperty({ enum: ['overdue', 'due_soon'], nullable: true, example: null })
  flag!: 'overdue' | 'due_soon' | null;
  @ApiProperty({ example: null, nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ example: AT }) updatedAt!: string;
}

export class PrivacyRequestPageDto {
  @ApiProperty({ type: [PrivacyRequestDto], description: 'Newest first.' })
  results!: PrivacyRequestDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class ActivityInputDto {
  @ApiProperty({ example: 'Newsletter' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: [String], example: ['Send the monthly newsletter'] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  purposes!: string[];

  @ApiProperty({
    enum: LEGAL_BASES,
    example: 'consent',
    description: 'Art. 6(1); also given to the person under Art. 13/14.',
  })
  @IsIn(LEGAL_BASES)
  lawfulBasis!: LegalBasis;

  @ApiProperty({ example: 'Acme Ltd, 1 Main St, London; privacy@acme.example' })
  @IsString()
  @MaxLength(1000)
  controller!: string;

  @ApiPropertyOptional({ example: 'Dana Dee, dpo@acme.example', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  dpo?: string | null;

  @ApiProperty({ type: [String], example: ['customers', 'prospects'] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  subjectCategories!: string[];

  @ApiProperty({
    type: [String],
    example: ['user.contact.email', 'user.name'],
    description: 'fideslang data categories; the registered fields under them are listed.',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  dataCategories!: DataCategory[];

  @ApiPropertyOptional({ type: [String], example: ['Mail delivery provider'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  recipients?: string[];

  @ApiPropertyOptional({
    example: 'None outside the EEA',
    nullable: true,
    type: String,
    description: 'Third-country transfers and their safeguards.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  transfers?: string | null;

  @ApiProperty({ example: 'Until consent is withdrawn, then 30 days' })
  @IsString()
  @MaxLength(2000)
  retention!: string;

  @ApiProperty({ example: 'Encryption at rest, role-based access, audit log' })
  @IsString()
  @MaxLength(4000)
  securityMeasures!: string;
}

export class ActivityDto extends ActivityInputDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: AT }) createdAt!: string;
  @ApiProperty({ example: AT }) updatedAt!: string;
}

export class RegisteredFieldDto {
  @ApiProperty({ example: 'crm.contact' }) source!: string;
  @ApiProperty({ example: 'crm' }) owner!: string;
  @ApiProperty({ example: 'crm_contact' }) table!: string;
  @ApiProperty({ example: 'email' }) column!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) jsonKey!: string | null;
  @ApiProperty({ example: 'user.contact.email' }) category!: string;
  @ApiProperty({ example: false }) sealed!: boolean;
  @ApiProperty({ example: false }) file!: boolean;
}

export class ProcessorDto {
  @ApiProperty({ example: 'Northwind Consulting' }) name!: string;
  @ApiProperty({ example: 'partner_firm' }) kind!: string;
}

export class RegisterActivityDto extends ActivityDto {
  @ApiProperty({ type: [RegisteredFieldDto] }) fields!: RegisteredFieldDto[];
}

export class RegisterDto {
  @ApiProperty({ example: AT }) generatedAt!: string;
  @ApiProperty({ type: [RegisterActivityDto] }) activities!: RegisterActivityDto[];
  @ApiProperty({
    type: [ProcessorDto],
    description: 'Processors acting for the account (Art. 30(2)).',
  })
  processors!: ProcessorDto[];
}

export class RegisterQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'html'], default: 'json', example: 'html' })
  @IsOptional()
  @IsIn(['json', 'csv', 'html'])
  format?: 'json' | 'csv' | 'html';
}
