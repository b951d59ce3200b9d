import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, IdParam } from '@custos/core';
import { AccessTokenDto } from '@custos/identity';
import type { BulkOutcome } from '../accounts/each-account';
import { PartnerAccounts, type PartnerAccountView } from '../accounts/partner-accounts';
import { BulkAddEmployeeDto, BulkOutcomeDto, PartnerAccountDto } from './partner.dto';

/** A partner admin's customer accounts: list, switch, act on several at once. */
@ApiTags('partner')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('partner/accounts')
export class PartnerAccountsController {
  constructor(private readonly accounts: PartnerAccounts) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'The customer accounts you administer as a partner admin',
    description: 'Active, unexpired partner access only; with any token of yours.',
  })
  @ApiOkResponse({ type: [PartnerAccountDto] })
  list(): Promise<PartnerAccountView[]> {
    return this.accounts.list();
  }

  @Post(':accountId/token')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Switch to one of them',
    description:
      'A token for that account, as sign-in issues it (404 for an account you do not administer).',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiProblemResponses('not_found', 'validation')
  switchTo(@IdParam('accountId') accountId: string): Promise<AccessTokenDto> {
    return this.accounts.switchTo(accountId);
  }

  @Post('bulk/employees')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add an employee of your firm with a role to several accounts',
    description:
      'Each account on its own, as you there: all or nothing per account, only where you may add users (`manage_users`, else 403 `partners.privilege_required`), never beyond your own access there (403 `access.grant_ceiling`), a partner seat each. One result per account, in the order given.',
  })
  @ApiOkResponse({ type: [BulkOutcomeDto] })
  @ApiProblemResponses('validation')
  addEmployee(@Body() body: BulkAddEmployeeDto): Promise<BulkOutcome[]> {
    return this.accounts.addEmployeeEverywhere(body);
  }
}
