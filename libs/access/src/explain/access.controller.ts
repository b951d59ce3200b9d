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
@Controller('api/v1')
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
  })
  @ApiOkResponse({ type: ExplanationDto })
  @ApiProblemResponses('not_found')
  explain(@Body() body: ExplainDto): Promise<ExplanationDto> {
    return this.explainer.explain(body);
  }

  @Post('access/preview')
  @HttpCode(200)
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'What a role change would change, per holder, before saving it' })
  @ApiOkResponse({ type: PreviewResultDto })
  @ApiProblemResponses('not_found')
  preview(@Body() body: PreviewDto): Promise<PreviewResultDto> {
    return this.explainer.preview(body);
  }
}
