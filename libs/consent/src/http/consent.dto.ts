import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import { PagingDto } from '@custos/core';
import { BLACKLIST_KINDS, BLACKLIST_REASONS } from '../blacklist/blacklist-entry.entity';
import { DELIVERY_OUTCOMES, type DeliveryOutcome } from '../bounces/bounces';
import {
  CONSENT_CHANNELS,
  CONSENT_SOURCES,
  CONSENT_STATUSES,
  LEGAL_BASES,
  type ConsentChannel,
  type LegalBasis,
} from '../consent.types';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const AT = '2026-12-05T18:00:00.000Z';

export class CreatePurposeDto {
  @ApiProperty({
    description: 'Stable snake_case name (mailings and forms use it).',
    example: 'newsletter',
  })
  @IsString()
  @MaxLength(64)
  key!: string;

  @ApiProperty({ example: 'Monthly newsletter' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'News about our products, once a month.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({
    enum: LEGAL_BASES,
    description: 'The lawful basis of GDPR Art. 6(1).',
    example: 'consent',
  })
  @IsIn(LEGAL_BASES)
  legalBasis!: LegalBasis;

  @ApiProperty({ enum: CONSENT_CHANNELS, isArray: true, example: ['email'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @IsIn(CONSENT_CHANNELS, { each: true })
  channels!: ConsentChannel[];

  @ApiPropertyOptional({
    description: 'Consent from forms waits for a confirmation link. Default false.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  doubleOptIn?: boolean;

  @ApiProperty({
    description: 'The text shown to the person (notice version 1).',
    example: 'Yes, send me the monthly newsletter. I can unsubscribe at any time.',
  })
  @IsString()
  @MaxLength(20_000)
  notice!: string;
}

export class PurposeDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: 'newsletter' }) key!: string;
  @ApiProperty({ example: 'Monthly newsletter' }) name!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) description!: string | null;
  @ApiProperty({ enum: LEGAL_BASES, example: 'consent' }) legalBasis!: LegalBasis;
  @ApiProperty({ enum: CONSENT_CHANNELS, isArray: true, example: ['email'] })
  channels!: ConsentChannel[];
  @ApiProperty({ example: true }) doubleOptIn!: boolean;
  @ApiProperty({ example: 2 }) currentNoticeVersion!: number;
  @ApiProperty({ example: AT }) createdAt!: Date;
}

export class AddNoticeDto {
  @ApiProperty({
    description: 'The new text; becomes the next version.',
    example: 'Yes, send me the newsletter (now weekly).',
  })
  @IsString()
  @MaxLength(20_000)
  text!: string;
}

export class NoticeDto {
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ example: 'Yes, send me the newsletter (now weekly).' }) text!: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the UTF-8 text.', example: 'a3f5…' })
  sha256!: string;
  @ApiProperty({ example: AT }) createdAt!: Date;
}

export class RecordConsentDto {
  @ApiProperty({ example: ID })
  @IsUUID()
  purposeId!: string;

  @ApiProperty({ enum: CONSENT_CHANNELS, example: 'email' })
  @IsIn(CONSENT_CHANNELS)
  channel!: ConsentChannel;

  @ApiPropertyOptional({
    description: 'One address of the contact; leave out for all of them.',
    example: 'ada@example.com',
  })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  address?: string;

  @ApiProperty({ enum: ['granted', 'withdrawn'], example: 'granted' })
  @IsIn(['granted', 'withdrawn'])
  status!: 'granted' | 'withdrawn';

  @ApiProperty({ enum: ['staff', 'api', 'import'], example: 'staff' })
  @IsIn(['staff', 'api', 'import'])
  source!: 'staff' | 'api' | 'import';

  @ApiPropertyOptional({
    description: 'The notice version the person was shown (required for `granted`).',
    example: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  noticeVersion?: number;

  @ApiPropertyOptional({ description: 'Default: now.', example: AT })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  effectiveFrom?: Date;

  @ApiPropertyOptional({ description: 'When the consent lapses; default never.', example: null })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  effectiveTo?: Date;
}

export class ConsentStateDto {
  @ApiProperty({ example: ID }) purposeId!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS, example: 'email' }) channel!: string;
  @ApiProperty({ description: "'' for every address of the contact.", example: '' })
  address!: string;
  @ApiProperty({ enum: CONSENT_STATUSES, example: 'granted' }) status!: string;
  @ApiProperty({ example: 3 }) seq!: number;
  @ApiProperty({ example: ID }) eventId!: string;
  @ApiProperty({ nullable: true, type: Number, example: 1 }) noticeVersion!: number | null;
  @ApiProperty({ example: AT }) effectiveFrom!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) effectiveTo!: string | null;
}

export class ConsentEventDto extends ConsentStateDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ enum: CONSENT_SOURCES, example: 'form' }) source!: string;
  @ApiProperty({ example: 'contact' }) actorKind!: string;
  @ApiProperty({ example: ID }) actorId!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Truncated (/24, /48).',
    example: '203.0.113.0',
  })
  ip!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Mozilla/5.0' }) userAgent!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Canonical JSON: form, submission, confirmed event.',
    example: '{"formId":"…"}',
  })
  proof!: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) confirmedAt!: string | null;
  @ApiProperty({ example: AT }) occurredAt!: string;
  @ApiProperty({ description: 'SHA-256 link of the chain.', example: '9c1e…' }) hash!: string;
  @ApiProperty({ example: '0000…' }) prevHash!: string;
}

export class ContactConsentDto {
  @ApiProperty({ type: [ConsentStateDto] }) states!: ConsentStateDto[];
}

export class ConsentEventPageDto {
  @ApiProperty({ type: [ConsentEventDto], description: 'In chain order.' })
  results!: ConsentEventDto[];

  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class ConsentChainVerificationDto {
  @ApiProperty({ example: true }) valid!: boolean;
  @ApiProperty({ example: 42 }) eventsChecked!: number;
  @ApiProperty({ example: 42 }) headSeq!: number;
  @ApiPropertyOptional({ example: 7 }) firstBrokenSeq?: number;
  @ApiPropertyOptional({
    example: 'hash_mismatch',
    description:
      'hash_mismatch, broken_link, head_mismatch, bad_signature, missing_head (the chain); partial_erasure, state_mismatch (erasures and the stored states against the events).',
  })
  reason?: string;
}

export class AddressDto {
  @ApiProperty({
    description: 'An e-mail address or a phone number (normalised).',
    example: 'ada@example.com',
  })
  @IsString()
  @MaxLength(320)
  address!: string;
}

export class BlacklistEntryDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ enum: BLACKLIST_KINDS, example: 'email' }) kind!: string;
  @ApiProperty({ example: 'ada@example.com' }) value!: string;
  @ApiProperty({ enum: BLACKLIST_REASONS, example: 'manual' }) reason!: string;
  @ApiProperty({ example: AT }) createdAt!: Date;
}

export class BlacklistPageDto {
  @ApiProperty({ type: [BlacklistEntryDto] }) results!: BlacklistEntryDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class BounceSummaryDto {
  @ApiProperty({ example: 'ada@example.com' }) address!: string;
  @ApiProperty({ description: 'Hard bounces since the last reset.', example: 3 }) bounces!: number;
  @ApiProperty({ example: AT }) firstBounceAt!: Date;
  @ApiProperty({ example: AT }) lastBounceAt!: Date;
  @ApiProperty({ example: false }) blacklisted!: boolean;
}

export class BounceSummaryPageDto {
  @ApiProperty({ type: [BounceSummaryDto] }) results!: BounceSummaryDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class BounceWebhookDto {
  @ApiPropertyOptional({
    description: 'The VERP return path the mail was sent with.',
    example: `bounces+5d1f0c2a9b3e4f60=${ID}=ada=example.com@mail.example.com`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(700)
  recipient?: string;

  @ApiPropertyOptional({ enum: DELIVERY_OUTCOMES, example: 'hard_bounce' })
  @IsOptional()
  @IsIn(DELIVERY_OUTCOMES)
  outcome?: DeliveryOutcome;

  @ApiPropertyOptional({ description: 'Default: now.', example: AT })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  occurredAt?: string;

  @ApiPropertyOptional({
    description:
      "The `Message-ID` of the mail the outcome is about, as sent: a hard bounce of a mailing's mail then marks its recipient `bounced`.",
    example: `<${ID}@mail.example.com>`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  messageId?: string;

  @ApiPropertyOptional({
    description:
      "Instead of the fields above: a delivery-status notification (RFC 3464) as received (the returned headers' `Message-ID` names the mail).",
    example:
      'To: <bounces+…@mail.example.com>\r\nContent-Type: multipart/report; report-type=delivery-status …',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200_000)
  dsn?: string;
}

export class BounceOutcomeDto {
  @ApiProperty({ description: 'Whether the address is blacklisted now.', example: false })
  blacklisted!: boolean;
}

export class ConsentChangeDto {
  @ApiProperty({ enum: ['granted', 'withdrawn'], example: 'withdrawn' }) status!: string;
}

export class PreferenceChangeDto {
  @ApiProperty({ example: ID })
  @IsString()
  @MaxLength(64)
  purposeId!: string;

  @ApiProperty({ enum: ['grant', 'withdraw'], example: 'withdraw' })
  @IsIn(['grant', 'withdraw'])
  action!: 'grant' | 'withdraw';
}
