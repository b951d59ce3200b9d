import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
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
import { Blacklist, type BlacklistEntryView } from '../blacklist/blacklist';
import { Bounces, type BounceSummary } from '../bounces/bounces';
import type { ConsentChainVerification, ConsentEventRow } from '../events/consent-ledger';
import { ConsentRecorder, type ContactConsent } from '../events/consent-recorder';
import { ConsentPurposes, type NoticeView, type PurposeView } from '../purposes/consent-purposes';
import {
  AddNoticeDto,
  AddressDto,
  BlacklistEntryDto,
  BlacklistPageDto,
  BounceSummaryPageDto,
  ConsentChainVerificationDto,
  ConsentEventDto,
  ConsentEventPageDto,
  ContactConsentDto,
  CreatePurposeDto,
  NoticeDto,
  PurposeDto,
  RecordConsentDto,
} from './consent.dto';

@ApiTags('consent')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('consent')
export class ConsentController {
  constructor(
    private readonly purposes: ConsentPurposes,
    private readonly recorder: ConsentRecorder,
    private readonly blacklist: Blacklist,
    private readonly bounces: Bounces,
  ) {}

  @Post('purposes')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Create a purpose',
    description: 'With its legal basis, channels and first notice text (version 1). Audited.',
  })
  @ApiCreatedResponse({ type: PurposeDto })
  @ApiProblemResponses('validation')
  createPurpose(@Body() body: CreatePurposeDto): Promise<PurposeView> {
    return this.purposes.create(body);
  }

  @Get('purposes')
  @RequirePrivilege('record_consent')
  @ApiOperation({ summary: 'The purposes of the account' })
  @ApiOkResponse({ type: [PurposeDto] })
  listPurposes(): Promise<PurposeView[]> {
    return this.purposes.list();
  }

  @Get('purposes/:purposeId')
  @RequirePrivilege('record_consent')
  @ApiOperation({ summary: 'A purpose' })
  @ApiOkResponse({ type: PurposeDto })
  @ApiProblemResponses('not_found', 'validation')
  getPurpose(@IdParam('purposeId') id: string): Promise<PurposeView> {
    return this.purposes.get(id);
  }

  @Get('purposes/:purposeId/notices')
  @RequirePrivilege('record_consent')
  @ApiOperation({
    summary: 'Every version of the notice text of a purpose',
    description: 'Oldest first, each with its SHA-256.',
  })
  @ApiOkResponse({ type: [NoticeDto] })
  @ApiProblemResponses('not_found', 'validation')
  notices(@IdParam('purposeId') id: string): Promise<NoticeView[]> {
    return this.purposes.notices(id);
  }

  @Post('purposes/:purposeId/notices')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Add a notice version',
    description:
      'A text is never edited: a new text is the next version. Audited with its SHA-256.',
  })
  @ApiCreatedResponse({ type: NoticeDto })
  @ApiProblemResponses('not_found', 'validation')
  addNotice(@IdParam('purposeId') id: string, @Body() body: AddNoticeDto): Promise<NoticeView> {
    return this.purposes.addNotice(id, body.text);
  }

  @Get('contacts/:contactId')
  @RequirePrivilege('record_consent')
  @ApiOperation({
    summary: "A contact's consent now",
    description: 'One state per purpose, channel and address. 404 for a contact you may not read.',
  })
  @ApiOkResponse({ type: ContactConsentDto })
  @ApiProblemResponses('not_found', 'validation')
  contact(@IdParam('contactId') contactId: string): Promise<ContactConsent> {
    return this.recorder.ofContact(contactId);
  }

  @Get('contacts/:contactId/events')
  @RequirePrivilege('record_consent')
  @ApiOperation({
    summary: "A contact's consent history",
    description:
      'Every event in chain order with its source, notice version, proof and hash. 404 for a contact you may not read.',
  })
  @ApiOkResponse({ type: ConsentEventPageDto })
  @ApiProblemResponses('not_found', 'validation')
  history(
    @IdParam('contactId') contactId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ConsentEventRow>> {
    return this.recorder.history(contactId, query);
  }

  @Post('contacts/:contactId/events')
  @RequirePrivilege('record_consent')
  @ApiOperation({
    summary: 'Record consent given or withdrawn',
    description:
      'By phone, in person, from an import or another system. Consent granted names the notice version shown; a double opt-in purpose records it `pending` and mails a confirmation link. 404 for a contact you may not read. Audited.',
  })
  @ApiCreatedResponse({ type: ConsentEventDto })
  @ApiProblemResponses('not_found', 'validation')
  record(
    @IdParam('contactId') contactId: string,
    @Body() body: RecordConsentDto,
  ): Promise<ConsentEventRow> {
    return this.recorder.record(contactId, body);
  }

  @Get('verify')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Verify the consent chain',
    description:
      'Recomputes every event hash and link and checks the signed head: proof that no consent record was edited, removed or cut off; then that each erasure took all of its contact’s events, and that the stored consent states (what mailings and the audience read) are the replay of the events (`partial_erasure`, `state_mismatch`).',
  })
  @ApiOkResponse({ type: ConsentChainVerificationDto })
  verify(): Promise<ConsentChainVerification> {
    return this.recorder.verify();
  }

  @Get('blacklist')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'The blacklist',
    description: 'Normalised addresses and phone numbers no marketing message goes to.',
  })
  @ApiOkResponse({ type: BlacklistPageDto })
  @ApiProblemResponses('validation')
  listBlacklist(@Query() query: PageQueryDto): Promise<Page<BlacklistEntryView>> {
    return this.blacklist.list(query);
  }

  @Post('blacklist')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Blacklist an address or phone number',
    description: 'Idempotent. Audited (without the address).',
  })
  @ApiCreatedResponse({ type: BlacklistEntryDto })
  @ApiProblemResponses('validation')
  addToBlacklist(@Body() body: AddressDto): Promise<BlacklistEntryView> {
    return this.blacklist.add(body.address);
  }

  @Post('blacklist/lift')
  @HttpCode(204)
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Lift the block of an address',
    description:
      'The address goes in the body, never in a URL. Audited (without the address). Its bounce count stays until a delivery or reply resets it.',
  })
  @ApiNoContentResponse({ description: 'Lifted.' })
  @ApiProblemResponses('not_found', 'validation')
  lift(@Body() body: AddressDto): Promise<void> {
    return this.blacklist.lift(body.address);
  }

  @Get('bounces')
  @RequirePrivilege('manage_consent')
  @ApiOperation({
    summary: 'Addresses with hard bounces',
    description:
      'Hard bounces counted since the last delivery or reply, per address in address order, and whether it is blacklisted.',
  })
  @ApiOkResponse({ type: BounceSummaryPageDto })
  @ApiProblemResponses('validation')
  bouncesList(@Query() query: PageQueryDto): Promise<Page<BounceSummary>> {
    return this.bounces.list(query);
  }
}
