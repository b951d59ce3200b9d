import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  Authenticated,
  IdParam,
  RequestContext,
  RequireSuperAdmin,
} from '@custos/core';
import { PartnerAdmins, type PartnerAdminView } from '../admins/partner-admins';
import { PartnerFirms, type PartnerFirmView } from '../firms/partner-firms';
import { PartnerLinks } from '../links/partner-links';
import {
  AccessLinkDto,
  AddFirmEmployeeDto,
  PartnerAdminDto,
  PartnerFirmDto,
  RegisterFirmDto,
} from './partner.dto';

/** The partner's side: the firm, its employees, each employee's access link, self-migration. */
@ApiTags('partner')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('partner')
export class PartnerSideController {
  constructor(
    private readonly firms: PartnerFirms,
    private readonly links: PartnerLinks,
    private readonly admins: PartnerAdmins,
    private readonly context: RequestContext,
  ) {}

  @Post('firm')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Register your account as a partner firm',
    description:
      'Your account becomes the firm’s own (home) account and you its first firm admin. One firm per account; a user belongs to at most one firm.',
  })
  @ApiCreatedResponse({ type: PartnerFirmDto })
  @ApiProblemResponses('validation', 'conflict')
  register(@Body() body: RegisterFirmDto): Promise<PartnerFirmView> {
    return this.firms.register(body.name);
  }

  @Get('firm')
  @Authenticated()
  @ApiOperation({
    summary: 'Your partner firm',
    description: 'Employees are listed to firm admins.',
  })
  @ApiOkResponse({ type: PartnerFirmDto })
  @ApiProblemResponses('not_found')
  firm(): Promise<PartnerFirmView> {
    return this.firms.mine();
  }

  @Post('firm/employees')
  @Authenticated()
  @ApiOperation({
    summary: 'Add an employee to your firm',
    description:
      'Firm admins, signed in to the firm’s own account; the user must be an active member of it.',
  })
  @ApiCreatedResponse({ type: PartnerFirmDto })
  @ApiProblemResponses('validation', 'conflict')
  addEmployee(@Body() body: AddFirmEmployeeDto): Promise<PartnerFirmView> {
    return this.firms.addEmployee(body.userId, body.firmAdmin ?? false);
  }

  @Delete('firm/employees/:userId')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove an employee from your firm',
    description:
      'Their access link stops working and their partner access to every customer account ends (audited there).',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblemResponses('not_found', 'validation')
  async removeEmployee(@IdParam('userId') userId: string): Promise<void> {
    await this.firms.removeEmployee(userId);
  }

  @Get('link')
  @Authenticated()
  @ApiOperation({
    summary: 'Your personal access link',
    description: 'Reusable: send it to customers, whose approvers open and approve it.',
  })
  @ApiOkResponse({ type: AccessLinkDto })
  @ApiProblemResponses('not_found')
  link(): Promise<AccessLinkDto> {
    return this.links.mine();
  }

  @Post('link')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Regenerate your access link',
    description: 'Every link you sent before stops working (revocation); audited.',
  })
  @ApiOkResponse({ type: AccessLinkDto })
  @ApiProblemResponses('not_found')
  regenerate(): Promise<AccessLinkDto> {
    return this.links.regenerate();
  }

  @Post('migrate')
  @RequireSuperAdmin()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Become a partner admin of this account (you are a super admin here)',
    description:
      'For partner employees: you stop being a super admin and keep the partner-admin set. 409 when you are the last super admin, or no partner seat is free.',
  })
  @ApiOkResponse({ type: PartnerAdminDto })
  @ApiProblemResponses('validation', 'conflict')
  migrateSelf(): Promise<PartnerAdminView> {
    return this.admins.migrate(this.context.requireActor().userId ?? '');
  }
}
