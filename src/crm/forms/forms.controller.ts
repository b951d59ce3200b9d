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
import {
  CreateFormDto,
  FormDto,
  FormPageDto,
  FormSubmissionPageDto,
  UpdateFormDto,
  type FormSubmissionDto,
} from './form.dto';
import { FormService } from './form.service';
import { FormSubmissionService } from './form-submission.service';

@ApiTags('forms')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/forms')
export class FormsController {
  constructor(
    private readonly forms: FormService,
    private readonly submissions: FormSubmissionService,
  ) {}

  @Get()
  @RequirePrivilege('manage_properties')
  @ApiOperation({ summary: 'List forms' })
  @ApiOkResponse({ type: FormPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<FormDto>> {
    return this.forms.list(query);
  }

  @Post()
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Create a form',
    description:
      'Each field is a writable property of the object type that you may edit yourself; ' +
      'sensitive properties only for super admins in person; every required property of the type must be a field. ' +
      'Submissions go to `submitUrl`, without credentials.',
  })
  @ApiCreatedResponse({ type: FormDto })
  @ApiProblemResponses('validation', 'not_found')
  create(@Body() body: CreateFormDto): Promise<FormDto> {
    return this.forms.create(body);
  }

  @Get(':formId')
  @RequirePrivilege('manage_properties')
  @ApiOperation({ summary: 'Get a form' })
  @ApiOkResponse({ type: FormDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('formId') id: string): Promise<FormDto> {
    return this.forms.get(id);
  }

  @Patch(':formId')
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Change a form: name, fields, recipients, active',
    description:
      'New fields (and switching a form on) are checked against your own rights, as at creation.',
  })
  @ApiOkResponse({ type: FormDto })
  @ApiProblemResponses('not_found', 'validation')
  update(@IdParam('formId') id: string, @Body() body: UpdateFormDto): Promise<FormDto> {
    return this.forms.update(id, body);
  }

  @Delete(':formId')
  @HttpCode(204)
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: 'Delete a form',
    description: 'Its submission log and notifications go with it; the records it created stay.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found', 'validation')
  async remove(@IdParam('formId') id: string): Promise<void> {
    await this.forms.remove(id);
  }

  @Get(':formId/submissions')
  @RequirePrivilege('manage_properties')
  @ApiOperation({
    summary: "A form's submission log",
    description:
      'Newest first: when, whether a record was created (its id) or why not (an error code). Never the values. ' +
      'The record id is shown only if you may read that record, else `null`.',
  })
  @ApiOkResponse({ type: FormSubmissionPageDto })
  @ApiProblemResponses('not_found', 'validation')
  submissionLog(
    @IdParam('formId') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<FormSubmissionDto>> {
    return this.submissions.list(id, query);
  }
}
