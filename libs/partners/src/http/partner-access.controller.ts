import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { toApprovalDto } from '@custos/approvals';
import {
  ApiProblemResponses,
  Authenticated,
  IdParam,
  RequirePrivilege,
  RequireSuperAdmin,
} from '@custos/core';
import type { BulkOutcome } from '../accounts/each-account';
import { PartnerAdmins, type PartnerAdminView } from '../admins/partner-admins';
import { PartnerLinks, type InspectedLink } from '../links/partner-links';
import { PartnerSeats, type SeatCount } from '../seats/partner-seats';
import { PARTNER_SEAT_TYPES, type PartnerSeatType } from '../seats/partner-seat.entity';
import { PartnersErrors } from '../partners.errors';
import {
  ApproveLinkDto,
  ApproveLinkInAccountsDto,
  BulkOutcomeDto,
  InspectedLinkDto,
  InspectLinkDto,
  LinkApprovalDto,
  PartnerAdminDto,
  SeatCountDto,
  SetSeatsDto,
} from './partner.dto';

/** The customer's side: partner seats, partner admins, access links to approve. */
@ApiTags('partner access')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller()
export class PartnerAccessController {
  constructor(
    private readonly seats: PartnerSeats,
    private readonly admins: PartnerAdmins,
    private readonly links: PartnerLinks,
  ) {}

  @Get('partner-seats')
  @RequirePrivilege('manage_partner_access')
  @ApiOperation({
    summary: 'Partner seats of this account',
    description: 'How many, how many taken.',
  })
  @ApiOkResponse({ type: SeatCountDto })
  seatCount(): Promise<SeatCount> {
    return this.seats.count();
  }

  @Put('partner-seats/:seatType')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Set the number of partner seats',
    description: 'Super admins; never below the seats in use (409). Audited.',
  })
  @ApiParam({ name: 'seatType', enum: PARTNER_SEAT_TYPES })
  @ApiOkResponse({ type: SeatCountDto })
  @ApiProblemResponses('validation', 'conflict')
  setSeats(@Param('seatType') seatType: string, @Body() body: SetSeatsDto): Promise<SeatCount> {
    if (!PARTNER_SEAT_TYPES.includes(seatType as PartnerSeatType)) {
      throw PartnersErrors.unknownSeatType();
    }
    return this.seats.set(seatType as PartnerSeatType, body.seats);
  }

  @Get('partner-admins')
  @RequirePrivilege('manage_partner_access')
  @ApiOperation({ summary: 'Partner admins of this account' })
  @ApiOkResponse({ type: [PartnerAdminDto] })
  partnerAdmins(): Promise<PartnerAdminView[]> {
    return this.admins.list();
  }

  @Delete('partner-admins/:userId')
  @RequirePrivilege('manage_partner_access')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End a partner relationship',
    description:
      'Removes the partner admin from this account, frees the seat; audited, the partner firm is notified.',
  })
  @ApiNoContentResponse({ description: 'Ended.' })
  @ApiProblemResponses('not_found', 'validation')
  async end(@IdParam('userId') userId: string): Promise<void> {
    await this.admins.end(userId);
  }

  @Post('partner-admins/:userId/migrate')
  @RequireSuperAdmin()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Migrate a super admin who is a partner employee to partner admin',
    description:
      '409 when it would leave the account without a super admin (same invariant and lock as a demotion), or no partner seat is free; 422 when they are no partner employee.',
  })
  @ApiOkResponse({ type: PartnerAdminDto })
  @ApiProblemResponses('validation', 'conflict')
  migrate(@IdParam('userId') userId: string): Promise<PartnerAdminView> {
    return this.admins.migrate(userId);
  }

  @Post('partner-links/inspect')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'See whose access link this is',
    description:
      'For approvers (super admins, members allowed to manage users). 404 for a link that was regenerated, or whose owner left the firm.',
  })
  @ApiOkResponse({ type: InspectedLinkDto })
  @ApiProblemResponses('not_found', 'validation')
  inspect(@Body() body: InspectLinkDto): Promise<InspectedLink> {
    return this.links.inspect(body.link);
  }

  @Post('partner-links/approve')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve an access link for this account',
    description:
      'Through the approval engine: the employee becomes a partner admin here, with a seat and the partner-admin set, optionally time-bound; the firm is notified. Idempotent for an employee already a partner admin here. `approve-many` approves it in several of your accounts.',
  })
  @ApiOkResponse({ type: LinkApprovalDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  async approve(@Body() body: ApproveLinkDto): Promise<LinkApprovalDto> {
    const result = await this.links.approve(body);
    return { ...result, approval: result.approval && toApprovalDto(result.approval) };
  }

  @Post('partner-links/approve-many')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve an access link in several of your accounts',
    description:
      'As `partner-links/approve` in each account named, where you are a member allowed to approve: one result per account, all or nothing per account (404 where you are no member, 403 where you may not approve).',
  })
  @ApiOkResponse({ type: [BulkOutcomeDto] })
  @ApiProblemResponses('validation')
  approveMany(@Body() body: ApproveLinkInAccountsDto): Promise<BulkOutcome[]> {
    const { accountIds, ...input } = body;
    return this.links.approveInAccounts(accountIds, input);
  }
}
