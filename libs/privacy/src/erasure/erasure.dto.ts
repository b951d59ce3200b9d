import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID } from 'class-validator';
import { PageQueryDto, PagingDto } from '@custos/core';
import { ERASURE_STATUSES, type ErasureStatus } from './privacy-erasure.entity';
import { MAX_ERASURE_CONTACTS, MAX_ERASURE_USERS } from './privacy-erasures';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const AT = '2026-12-05T18:00:00.000Z';

export class StartErasureDto {
  @ApiProperty({
    type: [String],
    example: [ID],
    description: `The subject's contacts the operator confirmed (at most ${MAX_ERASURE_CONTACTS}).`,
  })
  @IsArray()
  @ArrayMaxSize(MAX_ERASURE_CONTACTS)
  @IsUUID('all', { each: true })
  contactIds!: string[];

  @ApiPropertyOptional({
    type: [String],
    example: [ID],
    description: `Members of the account who are the subject (at most ${MAX_ERASURE_USERS}; the lookup by their email gives their ids). Each is deactivated at once, then their login, memberships, notifications and the labels naming them in the audit log, imports and exports are erased; their ids stay, so what they owned stays valid. 404 for a user who is no member; 403 for a super admin unless the operator is one; 409 for the operator themself, the last super admin, or a login other accounts share.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ERASURE_USERS)
  @IsUUID('all', { each: true })
  userIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['ada@example.com'],
    description:
      'Addresses of the subject: found by value where no contact links them; then blacklisted as keyed hashes.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  emails?: string[];

  @ApiPropertyOptional({ type: [String], example: ['+44 20 7946 0000'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  phones?: string[];
}

export class ErasureDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: ID }) requestId!: string;
  @ApiProperty({ enum: ERASURE_STATUSES, example: 'running' }) status!: ErasureStatus;
  @ApiProperty({ example: 3 }) contactsTotal!: number;
  @ApiProperty({ example: 1, description: 'Contacts erased so far (each in one transaction).' })
  contactsDone!: number;
  @ApiProperty({ example: 1, description: 'Of those, kept anonymised for a blocker.' })
  contactsAnonymised!: number;
  @ApiProperty({ example: 1 }) usersTotal!: number;
  @ApiProperty({ example: 0, description: 'Users erased so far (each in one transaction).' })
  usersDone!: number;
  @ApiProperty({ example: false, description: 'Whether the sources found by value are erased.' })
  valuesDone!: boolean;
  @ApiProperty({ example: AT }) createdAt!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) completedAt!: string | null;
}

export class PrivacyLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: ID, description: 'Only the entries of this request.' })
  @IsOptional()
  @IsUUID()
  requestId?: string;
}

export class PrivacyLogEntryDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: ID }) requestId!: string;
  @ApiProperty({
    example: 'contact_anonymised',
    description:
      '`contact_deleted`, `contact_anonymised`, `user_erased`, `values_erased`, `erasure_completed`.',
  })
  action!: string;
  @ApiProperty({ example: 'a***@e***.com', description: 'The subject, masked.' })
  subject!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: {
      contactId: ID,
      rows: { 'crm.property_history': 4, 'consent.event': 2 },
      blockers: ['crm.closed_won_deals'],
      keyDestroyed: true,
    },
    description:
      'Rows per registered source, blockers, sources kept with their reason: never a removed value.',
  })
  detail!: Record<string, unknown>;
  @ApiProperty({ example: ID }) actorId!: string;
  @ApiProperty({ example: AT }) createdAt!: string;
}

export class PrivacyLogPageDto {
  @ApiProperty({ type: [PrivacyLogEntryDto], description: 'Newest first.' })
  results!: PrivacyLogEntryDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}
