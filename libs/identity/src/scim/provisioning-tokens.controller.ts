import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  RequireSuperAdmin,
  type Page,
} from '@custos/core';
import {
  CreatedProvisioningTokenDto,
  CreateProvisioningTokenDto,
  ProvisioningTokenDto,
  ProvisioningTokenPageDto,
} from './provisioning-token.dto';
import { ProvisioningTokenService } from './provisioning-token.service';

/** Management of SCIM provisioning tokens, by super admins in person. */
@ApiTags('SCIM 2.0')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('scim-tokens')
export class ProvisioningTokensController {
  constructor(private readonly tokens: ProvisioningTokenService) {}

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'List the SCIM provisioning tokens of this account (never the tokens themselves)',
  })
  @ApiOkResponse({ type: ProvisioningTokenPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<ProvisioningTokenDto>> {
    return this.tokens.list(query);
  }

  @Post()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Create a SCIM provisioning token',
    description:
      'Super admins signed in as themselves only (not private apps, partner admins or support). The token is in this response only; it works on `/scim/v2` only, and only while its creator remains an active super admin.',
  })
  @ApiCreatedResponse({ type: CreatedProvisioningTokenDto })
  @ApiProblemResponses('validation')
  create(@Body() body: CreateProvisioningTokenDto): Promise<CreatedProvisioningTokenDto> {
    return this.tokens.create(body);
  }

  @Delete(':tokenId')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Revoke a SCIM provisioning token',
    description: 'Takes effect on the next request. Revoking twice is harmless.',
  })
  @ApiOkResponse({ type: ProvisioningTokenDto })
  @ApiProblemResponses('not_found', 'validation')
  revoke(@IdParam('tokenId') id: string): Promise<ProvisioningTokenDto> {
    return this.tokens.revoke(id);
  }
}
