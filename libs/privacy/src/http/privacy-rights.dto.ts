import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PagingDto } from '@custos/core';
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '../requests/privacy-request.types';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const CONTACT = '0193a6c4-8a2b-7c3a-9d1e-1f2a3b4c5d6f';
const ACCOUNT = '0193a6c4-6b0a-7c3a-9d1e-1f2a3b4c5d60';

export class RestrictSubjectDto {
  @ApiProperty({ example: ID, description: 'The open restriction request this answers.' })
  @IsUUID()
  requestId!: string;

  @ApiPropertyOptional({
    example: CONTACT,
    description: "The contact to restrict; default the request's contact.",
  })
  @IsOptional()
  @IsUUID()
  contactId?: string;
}

export class RestrictionDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: CONTACT }) contactId!: string;
  @ApiProperty({ example: ID }) requestId!: string;
  @ApiProperty({ example: '2026-12-05T18:00:00.000Z' }) restrictedAt!: string;
}

export class RestrictionPageDto {
  @ApiProperty({ type: [RestrictionDto] }) results!: RestrictionDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class ObjectionOutcomeDto {
  @ApiProperty({
    example: 2,
    description: 'Addresses of the subject on the blacklist now (e-mail, phone).',
  })
  blacklisted!: number;
}

export class PublicPrivacyRequestDto {
  @ApiProperty({
    example: ACCOUNT,
    description: 'The account the request is for, as its privacy notice or web form names it.',
  })
  @IsString()
  @MaxLength(36)
  accountId!: string;

  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES, example: 'access' })
  @IsIn(PRIVACY_REQUEST_TYPES)
  type!: PrivacyRequestType;

  @ApiProperty({ example: 'ada@example.com', description: 'The code is sent here.' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'Please send me a copy of what you hold about me.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  details?: string;
}

export class PublicRequestAcceptedDto {
  @ApiProperty({ example: ID, description: 'Give it with the code to confirm the request.' })
  requestId!: string;
  @ApiProperty({ enum: ['verification_sent'], example: 'verification_sent' }) status!: string;
}

export class VerifyPublicRequestDto {
  @ApiProperty({ example: ACCOUNT }) @IsString() @MaxLength(36) accountId!: string;
  @ApiProperty({ example: ID }) @IsString() @MaxLength(36) requestId!: string;

  @ApiProperty({ example: '04718263', description: 'The 8 digits of the mail.' })
  @IsString()
  @Matches(/^[0-9]{8}$/, { message: 'code must be the 8 digits of the mail' })
  code!: string;
}

export class PublicRequestVerifiedDto {
  @ApiProperty({ example: ID }) requestId!: string;
  @ApiProperty({ enum: ['received'], example: 'received' }) status!: string;
  @ApiProperty({ example: '2026-12-05', description: 'The UTC date the clock started on.' })
  receivedOn!: string;
  @ApiProperty({ example: '2027-01-05' }) dueOn!: string;
}
