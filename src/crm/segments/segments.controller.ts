import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, IdParam, PageQueryDto, type Page } from '@custos/core';
import { SearchResultDto, type SearchPage } from '../search';
import { SensitiveViewAudit } from '../sensitive';
import { CreateSegmentDto, SegmentDto, SegmentPageDto, UpdateSegmentDto } from './segment.dto';
import { SegmentService } from './segment.service';

@ApiTags('segments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentService,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List segments (saved lists)',
    description:
      'Your own segments and those shared with the account (all of them for super admins). Filter values on properties you may not read, and values compared with sensitive properties (for everyone), are left out (`valueRedacted`).',
  })
  @ApiOkResponse({ type: SegmentPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<SegmentDto>> {
    return this.segments.list(query);
  }

  @Post()
  @Authenticated()
  @ApiOperation({
    summary: 'Create a segment',
    description:
      'You own it; `sharing` defaults to `private`. Its filters are checked now, so a saved segment always runs; filtering on a property you may not read is 403 naming the filter. `eq`/`in` values compared with a sensitive property are stored only as their blind-index tokens, never in clear (shown as `valueRedacted` from then on).',
  })
  @ApiCreatedResponse({ type: SegmentDto })
  @ApiProblemResponses('validation', 'conflict')
  create(@Body() body: CreateSegmentDto): Promise<SegmentDto> {
    return this.segments.create(body);
  }

  @Get(':segmentId')
  @Authenticated()
  @ApiOperation({
    summary: 'Get a segment',
    description:
      'A private segment of someone else is 404 like a missing one. Filter values on properties you may not read, and values compared with sensitive properties (for everyone), are left out (`valueRedacted`).',
  })
  @ApiOkResponse({ type: SegmentDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('segmentId') id: string): Promise<SegmentDto> {
    return this.segments.get(id);
  }

  @Patch(':segmentId')
  @Authenticated()
  @ApiOperation({
    summary: 'Rename a segment, change its filters or its sharing',
    description:
      'The owner, super admins, and everyone when shared `shared_edit`; others who see it get 403. Only the owner or a super admin changes `sharing` (403 naming it). New `filterGroups` replace the old ones whole: a filter shown `valueRedacted` must be sent with its value again.',
  })
  @ApiOkResponse({ type: SegmentDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  update(@IdParam('segmentId') id: string, @Body() body: UpdateSegmentDto): Promise<SegmentDto> {
    return this.segments.update(id, body);
  }

  @Delete(':segmentId')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Delete a segment',
    description:
      'The owner or a super admin only (403 for others who see it). Its members are not touched.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found', 'validation')
  async remove(@IdParam('segmentId') id: string): Promise<void> {
    await this.segments.remove(id);
  }

  @Get(':segmentId/members')
  @Authenticated()
  @ApiOperation({
    summary: 'The current members of a segment',
    description:
      'Evaluated in the database at each call, with cursor pagination and the total. A segment that filters on a property you may not read is 403 naming that filter (no oracle), as in search.',
  })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiProblemResponses('not_found', 'validation')
  async members(
    @IdParam('segmentId') id: string,
    @Query() query: PageQueryDto,
  ): Promise<SearchPage> {
    return this.viewAudit.audited(await this.segments.members(id, query));
  }
}
