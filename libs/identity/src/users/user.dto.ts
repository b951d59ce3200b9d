import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { PageQueryDto, PagingDto } from '@custos/core';
import type { MembershipStatus } from './membership.entity';

const trimLower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export class UserDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName!: string;

  @ApiProperty({ example: false })
  superAdmin!: boolean;

  @ApiProperty({
    enum: ['invited', 'active', 'deactivated'],
    description:
      '`invited` until the person accepts by signing in (no access until then; `displayName` is the one you gave).',
    example: 'active',
  })
  status!: MembershipStatus;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000001' })
  businessUnitId!: string;

  @ApiProperty({ type: [String], example: ['0193a6c4-7f1e-7c3a-9d1e-000000000002'] })
  teamIds!: string[];

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  results!: UserDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only users whose email starts with this.', example: 'ada@' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  @Transform(trimLower)
  email?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 320 })
  @Transform(trimLower)
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiPropertyOptional({
    description: `Initial password (${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters), used only if the email has no login yet: an existing login keeps its own (you are not told which). Omit for users who sign in through the identity provider.`,
    example: 'correct horse battery staple',
  })
  @IsOptional()
  @IsString()
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  password?: string;

  @ApiPropertyOptional({
    description: 'Make the user a super admin (super admins only).',
    default: false,
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  superAdmin?: boolean;

  @ApiPropertyOptional({
    description:
      'A permission template the host offers (e.g. `partner_admin` with `@custos/partners`: only for an eligible partner employee with a free partner seat — 422 naming why otherwise). The user is then added as an active member at once.',
    example: 'partner_admin',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  template?: string;

  @ApiPropertyOptional({
    description: 'Business unit; default the root unit.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000001',
  })
  @IsOptional()
  @IsUUID()
  businessUnitId?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Teams to join.',
    example: ['0193a6c4-7f1e-7c3a-9d1e-000000000002'],
  })
  @IsOptional()
  @IsUUID('all', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(100)
  teamIds?: string[];
}

/**
 * What an administrator may change about a user in their account. The display name is not here:
 * it belongs to the person's login, which other accounts share, so only they change it (`PATCH /me`).
 */
export class UpdateUserDto {
  @ApiPropertyOptional({
    description:
      'Grant or revoke super admin (super admins only). The last super admin cannot be demoted.',
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  superAdmin?: boolean;

  @ApiPropertyOptional({
    enum: ['active', 'deactivated'],
    description:
      'Deactivated users cannot sign in to this account; deactivating ends their tokens for good. Not for invitations (409).',
    example: 'deactivated',
  })
  @IsOptional()
  @IsIn(['active', 'deactivated'])
  status?: MembershipStatus;

  @ApiPropertyOptional({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000001' })
  @IsOptional()
  @IsUUID()
  businessUnitId?: string;
}
