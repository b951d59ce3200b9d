import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { NestedArray, PageQueryDto, PagingDto } from '@custos/core';
import { FilterGroupDto } from '../search';
import {
  MAILING_STATUSES,
  RECIPIENT_STATUSES,
  SKIP_REASONS,
  type MailingStatus,
  type RecipientStatus,
  type SkipReason,
} from './mailing.entity';

const ID_EXAMPLE = '0193a6c4-7f1e-7c3a-9d1e-000000000030';

export class CreateMailingDto {
  @ApiProperty({ example: 'Spring newsletter' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: ID_EXAMPLE, description: 'The consent purpose it is sent for (e-mail).' })
  @IsUUID()
  purposeId!: string;

  @ApiPropertyOptional({
    example: ID_EXAMPLE,
    description: 'A saved segment of contacts you may see; or give `filterGroups`, not both.',
  })
  @IsOptional()
  @IsUUID()
  segmentId?: string;

  @ApiPropertyOptional({
    type: [FilterGroupDto],
    example: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'eq', value: 'customer' }] }],
    description: 'Filter groups as in search (none: every contact you may read).',
  })
  @IsOptional()
  @ArrayMaxSize(5)
  @NestedArray(() => FilterGroupDto)
  filterGroups?: FilterGroupDto[];

  @ApiProperty({
    example: 'Hello {{firstname}}, our spring news',
    description:
      'Subject; `{{property}}` tokens name ordinary contact properties you may read (sensitive ones are refused).',
  })
  @IsString()
  @Length(1, 900)
  subjectTemplate!: string;

  @ApiProperty({
    example: 'Dear {{firstname}} {{lastname}},\n\nhere is what is new this spring.',
    description: 'Plain-text body with `{{property}}` tokens; an unsubscribe link is appended.',
  })
  @IsString()
  @Length(1, 100_000)
  bodyTemplate!: string;
}

export class MailingTotalsDto {
  @ApiProperty({ example: 0, description: 'In the audience, not written to the outbox yet.' })
  queued!: number;

  @ApiProperty({ example: 1180, description: 'Written to the outbox (delivered from there).' })
  sent!: number;

  @ApiProperty({ example: 70 })
  skipped!: number;

  @ApiProperty({
    example: 3,
    description: 'Sent, and a hard bounce of that mail came back (counted in `sent` no more).',
  })
  bounced!: number;

  @ApiProperty({
    example: {
      no_consent: 52,
      opted_out: 11,
      blacklisted: 4,
      bounced: 1,
      no_address: 2,
      restricted: 0,
    },
    description: 'Skipped recipients per reason.',
  })
  skippedBy!: Record<SkipReason, number>;
}

export class MailingDto {
  @ApiProperty({ example: ID_EXAMPLE })
  id!: string;

  @ApiProperty({ example: 'Spring newsletter' })
  name!: string;

  @ApiProperty({ example: ID_EXAMPLE })
  purposeId!: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  segmentId!: string | null;

  @ApiProperty({
    example: [[{ propertyName: 'lifecyclestage', operator: 'eq' }]],
    description: 'The filter groups by property and operator (values are not shown).',
  })
  filters!: { propertyName: string; operator: string }[][];

  @ApiProperty({ example: 'Hello {{firstname}}, our spring news' })
  subjectTemplate!: string;

  @ApiProperty({ example: 'Dear {{firstname}},\n\nhere is what is new this spring.' })
  bodyTemplate!: string;

  @ApiProperty({ enum: MAILING_STATUSES, example: 'draft' })
  status!: MailingStatus;

  @ApiProperty({ example: '2026-03-01T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  sentAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  finishedAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description:
      'Why a `failed` mailing failed, an error code: `crm.mailing_sender_lost_privilege`, `crm.mailing_attempts_exhausted`, `crm.mailing_interrupted`, or the code of the check that refused it (e.g. `crm.mailing_unreadable_token`, `consent.unknown_purpose`).',
  })
  failureReason!: string | null;

  @ApiProperty({ type: MailingTotalsDto })
  totals!: MailingTotalsDto;
}

export class MailingPageDto {
  @ApiProperty({ type: [MailingDto] })
  results!: MailingDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class RecipientQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RECIPIENT_STATUSES, example: 'skipped' })
  @IsOptional()
  @IsIn(RECIPIENT_STATUSES)
  status?: RecipientStatus;
}

export class MailingRecipientDto {
  @ApiProperty({ example: ID_EXAMPLE })
  contactId!: string;

  @ApiProperty({ enum: RECIPIENT_STATUSES, example: 'skipped' })
  status!: RecipientStatus;

  @ApiProperty({ enum: SKIP_REASONS, nullable: true, example: 'opted_out' })
  reason!: SkipReason | null;

  @ApiProperty({ example: '2026-03-01T09:00:02.000Z' })
  updatedAt!: string;
}

export class MailingRecipientPageDto {
  @ApiProperty({ type: [MailingRecipientDto] })
  results!: MailingRecipientDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
