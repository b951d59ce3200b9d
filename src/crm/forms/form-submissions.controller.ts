import {
  Body,
  Controller,
  HttpCode,
  Post,
  Req,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiProblemResponses, IdParam, Public } from '@custos/core';
import { SubmissionAcceptedDto, SubmitFormDto } from './form.dto';
import { FormSubmissionService } from './form-submission.service';
import { FormSubmissionThrottle } from './form-submission-throttle';
import {
  FormSubmissionUploadInterceptor,
  type UploadedFormFile,
} from './form-submission-upload.interceptor';

/** The one public route of forms: the people filling them in have no account. */
@ApiTags('forms')
@Controller('api/v1/forms')
export class FormSubmissionsController {
  constructor(private readonly submissions: FormSubmissionService) {}

  @Post(':formId/submissions')
  @HttpCode(202)
  @Public()
  @UseGuards(FormSubmissionThrottle)
  @UseInterceptors(FormSubmissionUploadInterceptor)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    summary: 'Submit a form (no credentials)',
    description:
      "Creates a record from the values of the form's fields; sensitive values are encrypted before they are stored. " +
      'The answer never says which record was created nor echoes a value: a value that is already taken is accepted ' +
      "here and shown as a failed submission to the form's admins. Unknown and inactive forms are 404; " +
      'too many submissions from one address get 429 with `Retry-After`. ' +
      'A form with file fields is sent as `multipart/form-data`: text parts `fields[<property>]`, file parts ' +
      '`files[<property>]` (each file at most the attachment limit, 413 beyond). Each file becomes an attachment of the ' +
      'new record, encrypted when the account has sensitive data on, and the property holds its id.',
  })
  @ApiAcceptedResponse({ type: SubmissionAcceptedDto })
  @ApiProblemResponses('not_found', 'validation', 'payload_too_large', 'rate_limited')
  async submit(
    @IdParam('formId') id: string,
    @Body() body: SubmitFormDto,
    @UploadedFiles() files: UploadedFormFile[] | undefined,
    @Req() request: Request,
  ): Promise<SubmissionAcceptedDto> {
    await this.submissions.submit(id, body.fields ?? {}, files ?? [], body.consents ?? [], {
      ip: request.ip ?? null,
      userAgent: request.get('user-agent') ?? null,
    });
    return { status: 'accepted' };
  }
}
