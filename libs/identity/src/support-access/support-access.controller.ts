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
  CreateSupportAccessDto,
  SupportAccessGrantDto,
  SupportAccessGrantPageDto,
} from './support-access.dto';
import { SupportAccessService } from './support-access.service';

@ApiTags('support access')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('support-access')
export class SupportAccessController {
  constructor(private readonly supportAccess: SupportAccessService) {}

  @Post()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Grant a support person temporary, read-only access to this account',
    description:
      'The support person signs in with `accountId` of this account until the grant expires or is revoked. ' +
      'They can view records, properties, users and settings but change nothing, and never see sensitive values. Audited.',
  })
  @ApiCreatedResponse({ type: SupportAccessGrantDto })
  @ApiProblemResponses('validation', 'conflict')
  grant(@Body() body: CreateSupportAccessDto): Promise<SupportAccessGrantDto> {
    return this.supportAccess.grant(body);
  }

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({ summary: 'List the support access grants of this account, active and past' })
  @ApiOkResponse({ type: SupportAccessGrantPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<SupportAccessGrantDto>> {
    return this.supportAccess.list(query);
  }

  @Delete(':grantId')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Revoke a support access grant before it expires',
    description:
      'The support session is refused from its next request. Revoking twice is harmless. Audited.',
  })
  @ApiOkResponse({ type: SupportAccessGrantDto })
  @ApiProblemResponses('not_found', 'validation')
  revoke(@IdParam('grantId') id: string): Promise<SupportAccessGrantDto> {
    return this.supportAccess.revoke(id);
  }
}
