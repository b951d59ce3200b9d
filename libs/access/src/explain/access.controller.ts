import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, RequirePrivilege } from '@custos/core';
import {
  ExplainDto,
  ExplanationDto,
  PermissionsDto,
  PreviewDto,
  PreviewResultDto,
} from './explain.dto';
import { ExplainService } from './explain.service';

@ApiTags('access')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
@Controller()
export class AccessController {
  constructor(private readonly explainer: ExplainService) {}

  @Get('me/permissions')
  @Authenticated()
  @ApiOperation({
    summary: 'Your rules in CASL packed form, for UIs',
    description: 'Unpack with `unpackRules` of `@casl/ability/extra` and build an ability.',
  })
  @ApiOkResponse({ type: PermissionsDto })
  myPermissions(): Promise<PermissionsDto> {
    return this.explainer.myPermissions();
  }

  @Post('access/explain')
  @HttpCode(200)
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Can user U do action A (on record R, property P), and what decided it?',
    description:
      'Answers only about what you may read yourself: a record you may not read is 404 like a missing one (`access.record_not_found`); a property you may not read (field permissions, or a sensitive property you may not see in clear) is 422 like an unknown one (`access.unknown_property`); and when the decision on a record would rest on a record rule of user U over a field you may not read, it is refused with 403 `access.explain_hidden_condition` naming that `property`, since the answer would tell its value. Without a record, rule conditions are not evaluated.',
  })
  @ApiOkResponse({ type: ExplanationDto })
  @ApiProblemResponses('not_found')
  explain(@Body() body: ExplainDto): Promise<ExplanationDto> {
    return this.explainer.explain(body);
  }

  @Post('access/preview')
  @HttpCode(200)
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'What a role change would change, per holder, before saving it',
    description:
      'Lists holders (users) whose widest level per object type and action, or task privileges, would change; it names no record and no property, and evaluates no record rule.',
  })
  @ApiOkResponse({ type: PreviewResultDto })
  @ApiProblemResponses('not_found')
  preview(@Body() body: PreviewDto): Promise<PreviewResultDto> {
    return this.explainer.preview(body);
  }
}
