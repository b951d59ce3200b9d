import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, RequirePrivilege } from '@custos/core';
import { CreateRecordRuleDto, RecordRuleDto, RecordRuleListDto } from './record-rule.dto';
import { RecordRuleService } from './record-rule.service';

@ApiTags('record rules')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
@Controller('record-rules')
export class RecordRulesController {
  constructor(private readonly rules: RecordRuleService) {}

  @Get()
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'List record rules' })
  @ApiOkResponse({ type: RecordRuleListDto })
  async list(): Promise<RecordRuleListDto> {
    return { results: await this.rules.list() };
  }

  @Post()
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Create a record rule',
    description:
      'Conditions are checked when saved: unknown fields or operators are refused, naming the path; a field whose values are stored encrypted (a sensitive property) is 422 `access.sealed_condition_field`, since no rule could compare its values.',
  })
  @ApiCreatedResponse({ type: RecordRuleDto })
  @ApiProblemResponses('not_found')
  create(@Body() body: CreateRecordRuleDto): Promise<RecordRuleDto> {
    return this.rules.create(body);
  }

  @Get(':ruleId')
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Get a record rule' })
  @ApiOkResponse({ type: RecordRuleDto })
  @ApiProblemResponses('not_found')
  get(@IdParam('ruleId') id: string): Promise<RecordRuleDto> {
    return this.rules.get(id);
  }

  @Put(':ruleId')
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Replace a record rule',
    description: 'The condition is checked as on creation (422 naming the path).',
  })
  @ApiOkResponse({ type: RecordRuleDto })
  @ApiProblemResponses('not_found')
  replace(
    @IdParam('ruleId') id: string,
    @Body() body: CreateRecordRuleDto,
  ): Promise<RecordRuleDto> {
    return this.rules.replace(id, body);
  }

  @Delete(':ruleId')
  @HttpCode(204)
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Delete a record rule' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found')
  async remove(@IdParam('ruleId') id: string): Promise<void> {
    await this.rules.remove(id);
  }
}
