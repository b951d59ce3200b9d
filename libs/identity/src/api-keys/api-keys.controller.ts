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
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { ApiKeyService } from './api-key.service';

@ApiTags('private apps')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({ summary: 'List the API keys of this account (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    return this.apiKeys.list(query);
  }

  @Post()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Create a private app API key',
    description:
      'The key is in this response only. It carries its scopes only while its creator remains a super admin.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblemResponses('validation')
  create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(body);
  }

  @Delete(':apiKeyId')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Takes effect on the next request. Revoking twice is harmless.',
  })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiProblemResponses('not_found', 'validation')
  revoke(@IdParam('apiKeyId') id: string): Promise<ApiKeyDto> {
    return this.apiKeys.revoke(id);
  }
}
