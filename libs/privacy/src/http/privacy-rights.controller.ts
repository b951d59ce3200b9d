import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
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
import { Objections, type ObjectionOutcome } from '../objections/objections';
import { Restrictions, type RestrictionView } from '../restrictions/restrictions';
import {
  ObjectionOutcomeDto,
  RestrictSubjectDto,
  RestrictionDto,
  RestrictionPageDto,
} from './privacy-rights.dto';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-restrictions')
export class PrivacyRestrictionsController {
  constructor(private readonly restrictions: Restrictions) {}

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'The contacts whose processing is restricted (GDPR Art. 18)' })
  @ApiOkResponse({ type: RestrictionPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<RestrictionView>> {
    return this.restrictions.list(query);
  }

  @Post()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "Restrict a contact's processing",
    description:
      'From an open restriction request, for its contact (or `contactId`, one you may read). Until it is lifted the contact is left out of exports and marketing audiences (in SQL) and cannot be updated, archived, restored or purged (409 `privacy.subject_restricted`) — by the API, batches, imports or forms; it can still be read. Audited.',
  })
  @ApiCreatedResponse({ type: RestrictionDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  restrict(@Body() body: RestrictSubjectDto): Promise<RestrictionView> {
    return this.restrictions.restrict(body.requestId, body.contactId);
  }

  @Delete(':contactId')
  @HttpCode(204)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "Lift a contact's restriction",
    description:
      'Processing resumes: exports, audiences and edits reach the contact again. A contact you may not read is 404, as when restricting. Audited.',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses('not_found', 'validation')
  lift(@IdParam('contactId') contactId: string): Promise<void> {
    return this.restrictions.lift(contactId);
  }
}

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-requests')
export class PrivacyObjectionsController {
  constructor(private readonly objections: Objections) {}

  @Post(':requestId/objection')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Apply an objection to direct marketing (GDPR Art. 21(2))',
    description:
      "Puts the subject's addresses — the request's e-mail and phone, and its contact's — on the consent blacklist (reason `objection`): no marketing audience or mailing reaches them again. For an open objection request; idempotent. Audited with a count, never the addresses.",
  })
  @ApiOkResponse({ type: ObjectionOutcomeDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  apply(@IdParam('requestId') id: string): Promise<ObjectionOutcome> {
    return this.objections.applyToMarketing(id);
  }
}
