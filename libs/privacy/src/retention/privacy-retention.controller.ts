import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
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
import { RetentionPolicies, type DryRunView, type RetentionPolicyView } from './retention-policies';
import {
  CreateRetentionPolicyDto,
  DryRunDto,
  RetentionPolicyDto,
  RetentionPolicyPageDto,
  UpdateRetentionPolicyDto,
} from './retention.dto';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-retention-policies')
export class PrivacyRetentionController {
  constructor(private readonly policies: RetentionPolicies) {}

  @Post()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Add a retention policy',
    description:
      'Records (contacts, companies, deals) meeting the condition for `afterDays` days are anonymised or deleted by the daily run, each in its own transaction (contacts through the erasure engine); restricted contacts are skipped, a closed-won deal and its contacts are anonymised, never deleted. Try it first with a dry run. Audited.',
  })
  @ApiCreatedResponse({ type: RetentionPolicyDto })
  @ApiProblemResponses('validation')
  create(@Body() body: CreateRetentionPolicyDto): Promise<RetentionPolicyView> {
    return this.policies.create(body);
  }

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'The retention policies of the account' })
  @ApiOkResponse({ type: RetentionPolicyPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<RetentionPolicyView>> {
    return this.policies.list(query);
  }

  @Get(':policyId')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'A retention policy' })
  @ApiOkResponse({ type: RetentionPolicyDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('policyId') id: string): Promise<RetentionPolicyView> {
    return this.policies.get(id);
  }

  @Patch(':policyId')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'Change a retention policy', description: 'Audited.' })
  @ApiOkResponse({ type: RetentionPolicyDto })
  @ApiProblemResponses('not_found', 'validation')
  update(
    @IdParam('policyId') id: string,
    @Body() body: UpdateRetentionPolicyDto,
  ): Promise<RetentionPolicyView> {
    return this.policies.update(id, body);
  }

  @Delete(':policyId')
  @HttpCode(204)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Remove a retention policy',
    description: 'What it already did stays done (and in the privacy log). Audited.',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses('not_found', 'validation')
  remove(@IdParam('policyId') id: string): Promise<void> {
    return this.policies.remove(id);
  }

  @Post(':policyId/dry-run')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'What running a retention policy now would change',
    description:
      'Changes nothing: how many records a run would delete and anonymise, how many contacts it would skip as restricted, and the first candidates. Audited (it reads who would be erased).',
  })
  @ApiOkResponse({ type: DryRunDto })
  @ApiProblemResponses('not_found', 'validation')
  dryRun(@IdParam('policyId') id: string): Promise<DryRunView> {
    return this.policies.dryRun(id);
  }
}
