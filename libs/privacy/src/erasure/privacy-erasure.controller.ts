import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, RequirePrivilege, type Page } from '@custos/core';
import { ErasureDto, PrivacyLogPageDto, PrivacyLogQueryDto, StartErasureDto } from './erasure.dto';
import { PrivacyErasures, type ErasureView } from './privacy-erasures';
import { PrivacyLog, type PrivacyLogView } from './privacy-log';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller()
export class PrivacyErasureController {
  constructor(
    private readonly erasures: PrivacyErasures,
    private readonly log: PrivacyLog,
  ) {}

  @Post('privacy-requests/:requestId/erasure')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "Erase an erasure request's subject",
    description:
      'For a request of type erasure that is in progress (or extended). A job erases every confirmed contact in its own transaction — deleted, or anonymised when a business record must keep it (a closed-won deal) — with its rows in every registered source, its files and its data key; then every confirmed user (deactivated when the erasure starts; their login, memberships and notifications erased, their labels in the audit log, imports and exports replaced, their ids kept); then the rows found by the emails and phones; then blacklists them as keyed hashes. Idempotent: calling again returns the erasure (and resumes it if unfinished). Audited; recorded in the privacy log with the subject masked.',
  })
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: ErasureDto,
    description: '`running` until the job has finished: poll `GET` on the same path.',
  })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  start(
    @IdParam('requestId') requestId: string,
    @Body() body: StartErasureDto,
  ): Promise<ErasureView> {
    return this.erasures.start(requestId, body);
  }

  @Get('privacy-requests/:requestId/erasure')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: "The state and progress of a request's erasure" })
  @ApiOkResponse({ type: ErasureDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('requestId') requestId: string): Promise<ErasureView> {
    return this.erasures.get(requestId);
  }

  @Get('privacy-log')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'The privacy log',
    description:
      'What was done for privacy requests, newest first: the subject masked, counts per registered source, never a removed value.',
  })
  @ApiOkResponse({ type: PrivacyLogPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PrivacyLogQueryDto): Promise<Page<PrivacyLogView>> {
    return this.log.list({ requestId: query.requestId }, query);
  }
}
