import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import { SubjectLookup, type LookupItem } from '../lookup/subject-lookup';
import { PrivacyRequests } from '../requests/privacy-requests';
import { LookupPageDto, SubjectLookupDto } from './lookup.dto';

const DESCRIPTION =
  'Every registered place holding the subject: records, property history, attachments, consent, exports, audit events, form submissions, users, privacy requests — found by email, phone, name or id (sealed values through their blind index). Values are shown only where the owner reads them under your rights. Audited without the identifiers.';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
@Controller()
export class PrivacyLookupController {
  constructor(
    private readonly lookup: SubjectLookup,
    private readonly requests: PrivacyRequests,
  ) {}

  @Post('privacy-lookup')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'Find the data of a subject', description: DESCRIPTION })
  @ApiOkResponse({ type: LookupPageDto })
  find(@Body() body: SubjectLookupDto): Promise<Page<LookupItem>> {
    const { limit, after, ...identifiers } = body;
    return this.lookup.lookup(identifiers, { limit, after });
  }

  @Post('privacy-requests/:requestId/lookup')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Find the data of a request’s subject',
    description: `By the email, phone, name and contact the request names. ${DESCRIPTION}`,
  })
  @ApiOkResponse({ type: LookupPageDto })
  @ApiProblemResponses('not_found')
  async forRequest(
    @IdParam('requestId') id: string,
    @Body() page: PageQueryDto,
  ): Promise<Page<LookupItem>> {
    const request = await this.requests.get(id);
    return this.lookup.lookup(
      {
        email: request.subjectEmail,
        phone: request.subjectPhone,
        name: request.subjectName,
        id: request.subjectContactId,
      },
      { limit: page.limit, after: page.after },
      id,
    );
  }
}
