import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ApprovalDto } from '@custos/approvals';
import { PARTNER_ACCESS_MAX_DAYS, PARTNER_ACCESS_MIN_DAYS } from '../links/partner-links';
import { PARTNER_SEAT_TYPES, type PartnerSeatType } from '../seats/partner-seat.entity';

const EXAMPLE_ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const EXAMPLE_LINK = `pl1.${EXAMPLE_ID}.0.q6G5Qm3Yw1cG0QwW1m7h0Vd3mSx9m8Qp2i7fYvJzH2A`;

export class RegisterFirmDto {
  @ApiProperty({ example: 'Northwind Consulting', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class FirmEmployeeDto {
  @ApiProperty({ example: EXAMPLE_ID })
  userId!: string;

  @ApiProperty({ example: false })
  firmAdmin!: boolean;
}

export class PartnerFirmDto {
  @ApiProperty({ example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ example: 'Northwind Consulting' })
  name!: string;

  @ApiProperty({
    description: "The firm's own account, where its employees sign in.",
    example: EXAMPLE_ID,
  })
  homeAccountId!: string;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({
    type: [FirmEmployeeDto],
    description: 'Every employee for firm admins; yourself for other employees.',
  })
  employees!: FirmEmployeeDto[];
}

export class AddFirmEmployeeDto {
  @ApiProperty({
    description: "An active member of the firm's own account.",
    example: EXAMPLE_ID,
  })
  @IsUUID()
  userId!: string;

  @ApiPropertyOptional({
    description: 'Make them a firm admin too.',
    default: false,
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  firmAdmin?: boolean;
}

export class AccessLinkDto {
  @ApiProperty({
    description:
      'Your personal, reusable access link: send it to customers. Regenerating it makes this one stop working.',
    example: EXAMPLE_LINK,
  })
  link!: string;
}

export class InspectLinkDto {
  @ApiProperty({ description: 'A partner access link.', example: EXAMPLE_LINK })
  @IsString()
  @MaxLength(200)
  link!: string;
}

export class ApproveLinkDto extends InspectLinkDto {
  @ApiPropertyOptional({
    description: `Time-bound access: days (${PARTNER_ACCESS_MIN_DAYS}–${PARTNER_ACCESS_MAX_DAYS}) until it ends at the partner's next request. Omit for no end.`,
    minimum: PARTNER_ACCESS_MIN_DAYS,
    maximum: PARTNER_ACCESS_MAX_DAYS,
    example: 90,
  })
  @IsOptional()
  @IsInt()
  @Min(PARTNER_ACCESS_MIN_DAYS)
  @Max(PARTNER_ACCESS_MAX_DAYS)
  accessDays?: number;

  @ApiPropertyOptional({
    description: 'Renew the access by `accessDays` each time it comes to its end.',
    default: false,
    example: true,
  })
  @IsOptional()
  @IsBoolean()
  autoExtend?: boolean;
}

export class ApproveLinkInAccountsDto extends ApproveLinkDto {
  @ApiProperty({
    type: [String],
    description: 'Your accounts to approve it in (you must be allowed to approve in each).',
    example: [EXAMPLE_ID],
    maxItems: 50,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  accountIds!: string[];
}

export class LinkEmployeeDto {
  @ApiProperty({ example: EXAMPLE_ID })
  userId!: string;

  @ApiProperty({ example: 'ada@northwind.example' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName!: string;
}

export class LinkFirmDto {
  @ApiProperty({ example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ example: 'Northwind Consulting' })
  name!: string;
}

export class InspectedLinkDto {
  @ApiProperty({ type: LinkEmployeeDto })
  employee!: LinkEmployeeDto;

  @ApiProperty({ type: LinkFirmDto })
  firm!: LinkFirmDto;

  @ApiProperty({
    description:
      'Already an active partner admin of this account: approving again changes nothing.',
    example: false,
  })
  alreadyPartnerAdmin!: boolean;
}

export class LinkApprovalDto extends InspectedLinkDto {
  @ApiProperty({
    type: ApprovalDto,
    nullable: true,
    description: 'The approved request; `null` when nothing had to change.',
  })
  approval!: ApprovalDto | null;
}

export class SeatCountDto {
  @ApiProperty({ enum: PARTNER_SEAT_TYPES, example: 'partner' })
  seatType!: PartnerSeatType;

  @ApiProperty({ example: 3 })
  seats!: number;

  @ApiProperty({ description: 'Seats taken by partner admins.', example: 1 })
  used!: number;
}

export class SetSeatsDto {
  @ApiProperty({ minimum: 0, maximum: 10000, example: 3 })
  @IsInt()
  @Min(0)
  @Max(10000)
  seats!: number;
}

export class PartnerAdminDto {
  @ApiProperty({ example: EXAMPLE_ID })
  accountId!: string;

  @ApiProperty({ example: EXAMPLE_ID })
  userId!: string;

  @ApiProperty({ example: 'ada@northwind.example' })
  email!: string;

  @ApiProperty({ type: LinkFirmDto })
  firm!: LinkFirmDto;

  @ApiProperty({ enum: ['invited', 'active', 'deactivated'], example: 'active' })
  status!: string;

  @ApiProperty({ nullable: true, example: '2027-03-01T10:00:00.000Z' })
  accessExpiresAt!: Date | null;

  @ApiProperty({ nullable: true, description: 'Auto-extension by this many days.', example: 90 })
  autoExtendDays!: number | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  since!: Date;
}

export class PartnerAccountDto {
  @ApiProperty({ example: EXAMPLE_ID })
  accountId!: string;

  @ApiProperty({ example: 'Contoso' })
  name!: string;

  @ApiProperty({ nullable: true, example: '2027-03-01T10:00:00.000Z' })
  accessExpiresAt!: Date | null;
}

export class BulkAddEmployeeDto {
  @ApiProperty({ type: [String], example: [EXAMPLE_ID], maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  accountIds!: string[];

  @ApiProperty({ description: 'An employee of your firm.', example: EXAMPLE_ID })
  @IsUUID()
  userId!: string;

  @ApiProperty({ description: 'The name of a role in each account.', example: 'Sales rep' })
  @IsString()
  @Length(1, 200)
  roleName!: string;
}

export class BulkOutcomeDto {
  @ApiProperty({ example: EXAMPLE_ID })
  accountId!: string;

  @ApiProperty({ description: 'HTTP status the action had in this account alone.', example: 200 })
  status!: number;

  @ApiProperty({ nullable: true, example: null })
  code!: string | null;

  @ApiProperty({ nullable: true, example: null })
  detail!: string | null;
}
