import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  Authenticated,
  IdParam,
  ReadOnlyRoute,
  type Page,
} from '@custos/core';
import { OBJECT_TYPE_NAMES, ObjectTypeParam } from '../kernel';
import {
  BatchCreateDto,
  BatchReadDto,
  BatchResultDto,
  BatchUpdateDto,
  CreateRecordDto,
  DeleteRecordQueryDto,
  HistoryEntryDto,
  HistoryPageDto,
  HistoryQueryDto,
  ListRecordsQueryDto,
  RecordDto,
  RecordPageDto,
  RecordReadQueryDto,
  RevealDto,
  RevealedValuesDto,
  UpdateRecordDto,
} from './record.dto';
import { SensitiveViewAudit } from '../sensitive';
import { RecordArchive } from './record-archive.service';
import type { RecordTotal } from './record-totals';
import { RecordReader } from './record-reader.service';
import { RecordWriter } from './record-writer.service';
import { RevealService } from './reveal.service';

@ApiTags('records')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found')
@Controller('api/v1/objects/:objectType')
export class RecordsController {
  constructor(
    private readonly reader: RecordReader,
    private readonly writer: RecordWriter,
    private readonly archive: RecordArchive,
    private readonly reveals: RevealService,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List records of an object type',
    description:
      'In id order, with cursor pagination. `?properties=` chooses the returned properties; `?total=exact` (or `estimate`) adds the number of records.',
  })
  @ApiOkResponse({ type: RecordPageDto })
  @ApiProblemResponses('validation')
  async list(
    @ObjectTypeParam('objectType') objectType: string,
    @Query() query: ListRecordsQueryDto,
  ): Promise<Page<RecordDto> & RecordTotal> {
    return this.viewAudit.audited(await this.reader.list(objectType, query));
  }

  @Post()
  @Authenticated()
  @ApiOperation({
    summary: 'Create a record',
    description:
      'Values are validated by type; unknown properties, read-only properties and taken unique values are refused. The owner defaults to you.',
  })
  @ApiCreatedResponse({ type: RecordDto })
  @ApiProblemResponses('validation', 'conflict')
  async create(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: CreateRecordDto,
  ): Promise<RecordDto> {
    return this.viewAudit.audited(await this.writer.create(objectType, body.properties));
  }

  @Post(':recordId/reveal')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Reveal the highly sensitive values of one record',
    description:
      'Highly sensitive properties are masked in lists, records and history; this shows their values for one record (with `history: true` also their past values), to people who may read them. Every reveal is audited as `sensitive_data.revealed` (record id and property names, never values).',
  })
  @ApiOkResponse({ type: RevealedValuesDto })
  @ApiProblemResponses('validation')
  reveal(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @Body() body: RevealDto,
  ): Promise<RevealedValuesDto> {
    return this.reveals.reveal(objectType, id, body.properties, body.history ?? false);
  }

  @Post('batch/create')
  @Authenticated()
  @ApiOperation({
    summary: 'Create up to 100 records',
    description:
      'All or nothing: one invalid item refuses the batch, naming the item (`inputs[i].properties.x`).',
  })
  @ApiCreatedResponse({ type: BatchResultDto })
  @ApiProblemResponses('validation', 'conflict')
  async batchCreate(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: BatchCreateDto,
  ): Promise<BatchResultDto> {
    return {
      status: 'COMPLETE',
      results: await this.viewAudit.audited(
        await this.writer.batchCreate(
          objectType,
          body.inputs.map((i) => i.properties),
        ),
      ),
    };
  }

  @Post('batch/update')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Update up to 100 records',
    description: 'All or nothing, naming the failing item.',
  })
  @ApiOkResponse({ type: BatchResultDto })
  @ApiProblemResponses('validation', 'conflict')
  async batchUpdate(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: BatchUpdateDto,
  ): Promise<BatchResultDto> {
    return {
      status: 'COMPLETE',
      results: await this.viewAudit.audited(await this.writer.batchUpdate(objectType, body.inputs)),
    };
  }

  @Post('batch/read')
  @HttpCode(200)
  @Authenticated()
  @ReadOnlyRoute()
  @ApiOperation({
    summary: 'Read up to 100 records by id',
    description: 'Ids that do not exist are left out.',
  })
  @ApiOkResponse({ type: BatchResultDto })
  @ApiProblemResponses('validation')
  async batchRead(
    @ObjectTypeParam('objectType') objectType: string,
    @Body() body: BatchReadDto,
  ): Promise<BatchResultDto> {
    return {
      status: 'COMPLETE',
      results: await this.viewAudit.audited(
        await this.reader.batchRead(objectType, body.ids, body.properties),
      ),
    };
  }

  @Get(':recordId')
  @Authenticated()
  @ApiOperation({ summary: 'Get a record' })
  @ApiOkResponse({ type: RecordDto })
  @ApiProblemResponses('validation')
  async get(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @Query() query: RecordReadQueryDto,
  ): Promise<RecordDto> {
    return this.viewAudit.audited(
      await this.reader.get(objectType, id, query.properties, query.archived ?? false),
    );
  }

  @Patch(':recordId')
  @Authenticated()
  @ApiOperation({
    summary: 'Update a record',
    description: 'Only the named properties change; every change is kept in the property history.',
  })
  @ApiOkResponse({ type: RecordDto })
  @ApiProblemResponses('validation', 'conflict')
  async update(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @Body() body: UpdateRecordDto,
  ): Promise<RecordDto> {
    return this.viewAudit.audited(await this.writer.update(objectType, id, body.properties));
  }

  @Delete(':recordId')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Archive a record (or delete it permanently with ?purge=true)',
    description: 'Archived records can be restored for 90 days, then they are purged.',
  })
  @ApiNoContentResponse({ description: 'Archived or purged.' })
  @ApiProblemResponses('validation')
  async remove(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @Query() query: DeleteRecordQueryDto,
  ): Promise<void> {
    await this.archive.remove(objectType, id, query.purge ?? false);
  }

  @Post(':recordId/restore')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Restore an archived record' })
  @ApiOkResponse({ type: RecordDto })
  @ApiProblemResponses('validation')
  async restore(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
  ): Promise<RecordDto> {
    return this.viewAudit.audited(await this.archive.restore(objectType, id));
  }

  @Get(':recordId/history')
  @Authenticated()
  @ApiOperation({
    summary: 'Property history of a record',
    description:
      'Every change of every value: old and new value, source, actor and time, oldest first. Values of highly sensitive properties are masked as on the record (`masked`; `POST …/{recordId}/reveal` with `history: true` shows them, audited); values that cannot be opened are `redacted`.',
  })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiProblemResponses('validation')
  async history(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') id: string,
    @Query() query: HistoryQueryDto,
  ): Promise<Page<HistoryEntryDto>> {
    return this.viewAudit.audited(await this.reader.history(objectType, id, query));
  }
}
