import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, ReadOnlyRoute } from '@custos/core';
import { OBJECT_TYPE_NAMES, ObjectTypeParam } from '../kernel';
import { SensitiveViewAudit } from '../sensitive';
import { SearchDto, SearchResultDto } from './search.dto';
import { SearchService, type SearchPage } from './search.service';

@ApiTags('records')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found')
@Controller('api/v1/objects/:objectType')
export class SearchController {
  constructor(
    private readonly searches: SearchService,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  @Post('search')
  @HttpCode(200)
  @Authenticated()
  @ReadOnlyRoute()
  @ApiOperation({
    summary: 'Search records',
    description:
      'Filter groups (OR of AND-ed filters), one sort, cursor pagination and the total, all evaluated in the database.',
  })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiProblemResponses('validation')
  async search(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: SearchDto,
  ): Promise<SearchPage> {
    return this.viewAudit.audited(await this.searches.search(objectType, body));
  }
}
