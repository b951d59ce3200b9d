import { Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, RequireSuperAdmin } from '@custos/core';
import {
  SensitiveDataIntegrationListDto,
  SensitiveDataIntegrationDto,
} from './sensitive-data-integrations.dto';
import { SensitiveDataIntegrationsService } from './sensitive-data-integrations.service';

const NAME_PARAM = {
  name: 'name',
  example: 'billing-sync',
  description: 'The integration or webhook name: `^[a-z][a-z0-9_-]{0,63}$` (422 otherwise).',
};

@ApiTags('sensitive data')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/settings/sensitive-data/integrations')
export class SensitiveDataIntegrationsController {
  constructor(private readonly integrations: SensitiveDataIntegrationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Integrations and webhooks allowed to receive sensitive properties' })
  @ApiOkResponse({ type: SensitiveDataIntegrationListDto })
  async list(): Promise<SensitiveDataIntegrationListDto> {
    return { results: await this.integrations.list() };
  }

  @Put(':name')
  @RequireSuperAdmin()
  @ApiParam(NAME_PARAM)
  @ApiOperation({
    summary: 'Allow an integration or webhook to receive sensitive properties',
    description:
      'Super admins in person only. Needs sensitive data enabled (409 before) and the enterprise ' +
      'edition (403 below). Idempotent. Audited as `sensitive_data.integration_enabled`.',
  })
  @ApiOkResponse({ type: SensitiveDataIntegrationDto })
  @ApiProblemResponses('validation', 'conflict')
  enable(@Param('name') name: string): Promise<SensitiveDataIntegrationDto> {
    return this.integrations.enable(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireSuperAdmin()
  @ApiParam(NAME_PARAM)
  @ApiOperation({
    summary: 'Stop an integration or webhook from receiving sensitive properties',
    description:
      'Super admins in person only; possible in every edition. Audited as `sensitive_data.integration_disabled`.',
  })
  @ApiNoContentResponse({ description: 'No longer allowed.' })
  @ApiProblemResponses('validation', 'not_found')
  disable(@Param('name') name: string): Promise<void> {
    return this.integrations.disable(name);
  }
}
