import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import {
  CreateMailingDto,
  MailingDto,
  MailingPageDto,
  MailingRecipientDto,
  MailingRecipientPageDto,
  RecipientQueryDto,
} from './mailing.dto';
import { MailingService } from './mailing.service';

@ApiTags('mailings')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/mailings')
export class MailingsController {
  constructor(private readonly mailings: MailingService) {}

  @Post()
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'Create a mailing (a draft)',
    description:
      'A purpose, a selection (a segment you may see, or filter groups as in search; none: every contact you may read) and subject and body templates. Each `{{property}}` token must be a contact property (422 naming the template), not sensitive (422: sensitive properties never go into templates) and readable by you (403).',
  })
  @ApiCreatedResponse({ type: MailingDto })
  @ApiProblemResponses('validation', 'not_found')
  create(@Body() body: CreateMailingDto): Promise<MailingDto> {
    return this.mailings.create(body);
  }

  @Get()
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'List your mailings',
    description: 'Your mailings (every one for super admins), with their totals; keyset pages.',
  })
  @ApiOkResponse({ type: MailingPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<MailingDto>> {
    return this.mailings.list(query);
  }

  @Get(':mailingId')
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'Get a mailing with its totals',
    description: 'Another user’s mailing is 404 like a missing one.',
  })
  @ApiOkResponse({ type: MailingDto })
  @ApiProblemResponses('validation', 'not_found')
  get(@IdParam('mailingId') id: string): Promise<MailingDto> {
    return this.mailings.get(id);
  }

  @Post(':mailingId/send')
  @HttpCode(202)
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'Send a mailing (once)',
    description:
      'Checks the mailing again for you and starts the job (202): it mails the contacts you may read that may be contacted for the purpose now (consent, opt-outs, blacklist — checked again when each mail is written), each with a one-click unsubscribe (RFC 8058). A mailing is sent once: a second send is 409. 503 when no public URL is configured for unsubscribe links.',
  })
  @ApiAcceptedResponse({ type: MailingDto })
  @ApiProblemResponses('validation', 'not_found', 'conflict', 'unavailable')
  send(@IdParam('mailingId') id: string): Promise<MailingDto> {
    return this.mailings.send(id);
  }

  @Post(':mailingId/cancel')
  @HttpCode(200)
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'Cancel a mailing',
    description:
      'A draft or a mailing being sent stops at its next batch; mails already in the outbox stay. 409 for a mailing sent or cancelled.',
  })
  @ApiOkResponse({ type: MailingDto })
  @ApiProblemResponses('validation', 'not_found', 'conflict')
  cancel(@IdParam('mailingId') id: string): Promise<MailingDto> {
    return this.mailings.cancel(id);
  }

  @Get(':mailingId/recipients')
  @RequirePrivilege('send_mailings')
  @ApiOperation({
    summary: 'What happened to each recipient',
    description:
      '`queued`, `sent` (in the outbox) or `skipped` with the reason (`no_consent`, `opted_out`, `blacklisted`, `bounced`, `no_address`, `restricted`); only contacts you may read. Keyset pages by contact id.',
  })
  @ApiOkResponse({ type: MailingRecipientPageDto })
  @ApiProblemResponses('validation', 'not_found')
  recipients(
    @IdParam('mailingId') id: string,
    @Query() query: RecipientQueryDto,
  ): Promise<Page<MailingRecipientDto>> {
    return this.mailings.recipients(id, query);
  }
}
