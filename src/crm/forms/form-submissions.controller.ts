import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, Public } from '@custos/core';
import { SubmissionAcceptedDto, SubmitFormDto } from './form.dto';
import { FormSubmissionService } from './form-submission.service';

/** The one public route of forms: the people filling them in have no account. */
@ApiTags('forms')
@Controller('api/v1/forms')
export class FormSubmissionsController {
  constructor(private readonly submissions: FormSubmissionService) {}

  @Post(':formId/submissions')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary: 'Submit a form (no credentials)',
    description:
      "Creates a record from the values of the form's fields; sensitive values are encrypted before they are stored. " +
      'The answer never says which record was created nor echoes a value: a value that is already taken is accepted ' +
      "here and shown as a failed submission to the form's admins. Unknown and inactive forms are 404; " +
      'too many submissions from one address get 429 with `Retry-After`.',
  })
  @ApiAcceptedResponse({ type: SubmissionAcceptedDto })
  @ApiProblemResponses('not_found', 'validation', 'rate_limited')
  async submit(
    @IdParam('formId') id: string,
    @Body() body: SubmitFormDto,
    @Ip() ip: string,
  ): Promise<SubmissionAcceptedDto> {
    await this.submissions.submit(id, body.fields, ip);
    return { status: 'accepted' };
  }
}
