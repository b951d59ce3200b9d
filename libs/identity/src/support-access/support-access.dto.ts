import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { PagingDto } from '@custos/core';

/** Longest time a grant may run, counted from when it is made. */
export const SUPPORT_ACCESS_MAX_DAYS = 30;

export const SUPPORT_ACCESS_STATUSES = ['active', 'expired', 'revoked'] as const;
export type SupportAccessStatus = (typeof SUPPORT_ACCESS_STATUSES)[number];

/** The person a grant was made to: only the email until they first sign in with it. */
export class SupportUserDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Their user id; `null` until they first sign in with this grant.',
    example: '0193a6c4-7f1e-7c3a-9d1e-00000000005a',
  })
  id!: string | null;

  @ApiProperty({ example: 'grace@support.example.com' })
  email!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Their own display name; `null` until they first sign in with this grant.',
    example: 'Grace Hopper',
  })
  displayName!: string | null;
}

export class SupportAccessGrantDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-00000000005b' })
  id!: string;

  @ApiProperty({ type: SupportUserDto })
  supportUser!: SupportUserDto;

  @ApiProperty({ example: 'Ticket #4711: contacts list shows wrong owners' })
  reason!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  grantedByUserId!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-24T18:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  revokedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  revokedByUserId!: string | null;

  @ApiProperty({
    enum: SUPPORT_ACCESS_STATUSES,
    description: 'Whether the support person can sign in to this account now.',
    example: 'active',
  })
  status!: SupportAccessStatus;
}

export class SupportAccessGrantPageDto {
  @ApiProperty({ type: [SupportAccessGrantDto] })
  results!: SupportAccessGrantDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateSupportAccessDto {
  @ApiProperty({
    description:
      'Email of the support person, who is not a member of this account. The grant works once they sign in with an active login of this email; whether one exists is not told.',
    example: 'grace@support.example.com',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsEmail()
  @MaxLength(320)
  supportUserEmail!: string;

  @ApiProperty({
    description: 'Why access is granted (kept in the audit log). Never paste customer data here.',
    example: 'Ticket #4711: contacts list shows wrong owners',
    minLength: 1,
    maxLength: 500,
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 500)
  reason!: string;

  @ApiProperty({
    description: `When access ends: in the future, at most ${SUPPORT_ACCESS_MAX_DAYS} days ahead.`,
    example: '2026-11-24T18:00:00.000Z',
  })
  @Type(() => Date)
  @IsDate()
  expiresAt!: Date;
}
