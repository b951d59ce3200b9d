import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, RequirePrivilege, type Page } from '@custos/core';
import { PrivacyRequests, type PrivacyRequestView } from '../requests/privacy-requests';
import {
  AssignPrivacyRequestDto,
  CompletePrivacyRequestDto,
  CreatePrivacyRequestDto,
  ListPrivacyRequestsQueryDto,
  MarkDuplicateDto,
  PrivacyRequestDto,
  PrivacyRequestPageDto,
  ReasonDto,
  TransitionPrivacyRequestDto,
} from './privacy.dto';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-requests')
export class PrivacyRequestsController {
  constructor(private readonly requests: PrivacyRequests) {}

  @Post()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Record a privacy request',
    description:
      "Staff intake: the clock starts on the date of receipt in the account's time zone (due one calendar month later, on the next working day if that is a weekend or one of the account's holidays; see privacy-settings). An earlier request of the same subject and type within the duplicate window is named in `possibleDuplicateOfId`. Audited.",
  })
  @ApiCreatedResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('validation')
  create(@Body() body: CreatePrivacyRequestDto): Promise<PrivacyRequestView> {
    return this.requests.intake(body);
  }

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'The privacy requests of the account',
    description: 'Newest first; filter by status, flag or assignee.',
  })
  @ApiOkResponse({ type: PrivacyRequestPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: ListPrivacyRequestsQueryDto): Promise<Page<PrivacyRequestView>> {
    const { status, flag, assigneeUserId, limit, after } = query;
    return this.requests.list({ status, flag, assigneeUserId }, { limit, after });
  }

  @Get(':requestId')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'A privacy request' })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('requestId') id: string): Promise<PrivacyRequestView> {
    return this.requests.get(id);
  }

  @Post(':requestId/assign')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Assign (or unassign) a privacy request',
    description: 'To a member who may manage privacy requests. Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  assign(
    @IdParam('requestId') id: string,
    @Body() body: AssignPrivacyRequestDto,
  ): Promise<PrivacyRequestView> {
    return this.requests.assign(id, body.assigneeUserId ?? null);
  }

  @Post(':requestId/transition')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Start the work on a privacy request',
    description: 'From received or identity unverified to in progress. Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  transition(
    @IdParam('requestId') id: string,
    @Body() _body: TransitionPrivacyRequestDto,
  ): Promise<PrivacyRequestView> {
    return this.requests.start(id);
  }

  @Post(':requestId/extend')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Extend the deadline to three months from receipt',
    description:
      'Once, with the reason recorded, within the first month (on or before the unextended due date). Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  extend(@IdParam('requestId') id: string, @Body() body: ReasonDto): Promise<PrivacyRequestView> {
    return this.requests.extend(id, body.reason);
  }

  @Post(':requestId/pause')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Wait for the subject',
    description: 'The clock stops until the request is resumed. Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  pause(@IdParam('requestId') id: string): Promise<PrivacyRequestView> {
    return this.requests.pause(id);
  }

  @Post(':requestId/resume')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Resume after waiting for the subject',
    description: 'The due date moves by the calendar days of the pause. Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  resume(@IdParam('requestId') id: string): Promise<PrivacyRequestView> {
    return this.requests.resume(id);
  }

  @Post(':requestId/complete')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Complete a privacy request',
    description: 'From in progress or extended. Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  complete(
    @IdParam('requestId') id: string,
    @Body() body: CompletePrivacyRequestDto,
  ): Promise<PrivacyRequestView> {
    return this.requests.complete(id, body.note ?? null);
  }

  @Post(':requestId/refuse')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Refuse a privacy request',
    description: 'With the reason (Art. 12(4)). Audited.',
  })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  refuse(@IdParam('requestId') id: string, @Body() body: ReasonDto): Promise<PrivacyRequestView> {
    return this.requests.refuse(id, body.reason);
  }

  @Post(':requestId/mark-duplicate')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'Close a request as a duplicate of another', description: 'Audited.' })
  @ApiOkResponse({ type: PrivacyRequestDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  markDuplicate(
    @IdParam('requestId') id: string,
    @Body() body: MarkDuplicateDto,
  ): Promise<PrivacyRequestView> {
    return this.requests.markDuplicate(id, body.duplicateOfId);
  }
}
