import { Body, Controller, Get, HttpCode, Post, Put, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  AcceptedWithLocation,
  ApiProblemResponses,
  Authenticated,
  IdParam,
  RequirePrivilege,
  RequireSuperAdmin,
  type Page,
} from '@custos/core';
import type { ExportView } from '../export.view';
import { ExportDownloads } from '../files/export-downloads';
import { ExportLog } from '../log/export-log';
import { ExportRequests } from '../requests/export-requests';
import { ExportSettingsService, type ExportSettings } from '../settings/export-settings.service';
import {
  CreateExportDto,
  ExportDto,
  ExportPageDto,
  ExportSettingsDto,
  ListExportsQueryDto,
  RejectExportDto,
} from './export.dto';

@ApiTags('exports')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly requests: ExportRequests,
    private readonly log: ExportLog,
    private readonly downloads: ExportDownloads,
    private readonly settings: ExportSettingsService,
  ) {}

  @Post()
  @RequirePrivilege('export')
  @ApiOperation({
    summary: 'Ask for an export',
    description:
      'Plans it for you (your rights; refusals are 404/403/422 and queue nothing), then queues it, or asks for approval when it holds sensitive data or more rows than the account threshold (unless you may export without approval). Only a member in person may ask for approval: an API key whose export needs it gets 403 `exports.approval_needs_person` (`reason`: `sensitive` or `threshold`). `Location` is the export; poll it for progress.',
  })
  @AcceptedWithLocation({ type: ExportDto, description: '`queued` or `pending_approval`.' })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  create(@Body() body: CreateExportDto): Promise<ExportView> {
    return this.requests.create(body);
  }

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'The export log',
    description:
      'Every export of the account for super admins and holders of `approve_exports`; your own for anyone else. Newest first, cursor paging, filter by `state`.',
  })
  @ApiOkResponse({ type: ExportPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: ListExportsQueryDto): Promise<Page<ExportView>> {
    return this.log.list(query);
  }

  @Get('settings')
  @RequireSuperAdmin()
  @ApiOperation({ summary: "The account's export settings" })
  @ApiOkResponse({ type: ExportSettingsDto })
  getSettings(): Promise<ExportSettings> {
    return this.settings.get();
  }

  @Put('settings')
  @RequireSuperAdmin()
  @ApiOperation({
    summary: "Change the account's export settings",
    description:
      'Approval above a record threshold, the expiry of pending requests, how long files are kept. Audited.',
  })
  @ApiOkResponse({ type: ExportSettingsDto })
  @ApiProblemResponses('validation')
  putSettings(@Body() body: ExportSettingsDto): Promise<ExportSettings> {
    return this.settings.update(body);
  }

  @Get(':exportId')
  @Authenticated()
  @ApiOperation({
    summary: 'State and progress of an export',
    description: 'For its requester and approvers; 404 for anyone else.',
  })
  @ApiOkResponse({ type: ExportDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('exportId') id: string): Promise<ExportView> {
    return this.log.get(id);
  }

  @Get(':exportId/file')
  @Authenticated()
  @ApiOperation({
    summary: 'Download the file of an export',
    description:
      'Only for its requester (404 for anyone else, super admins included), only while unexpired (410 after). Each download is audited with the file’s SHA-256.',
  })
  @ApiProduces(
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/zip',
  )
  @ApiOkResponse({ description: 'The file, `Content-Disposition: attachment`.' })
  @ApiProblemResponses('not_found', 'conflict', 'gone', 'validation')
  file(@IdParam('exportId') id: string): Promise<StreamableFile> {
    return this.downloads.download(id);
  }

  @Post(':exportId/cancel')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Cancel a queued or running export',
    description:
      'By its requester. A running export stops between batches and keeps no file; 409 once it is over.',
  })
  @ApiOkResponse({ type: ExportDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  cancel(@IdParam('exportId') id: string): Promise<ExportView> {
    return this.requests.cancel(id);
  }

  @Post(':exportId/approve')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Approve an export',
    description:
      'By an approver other than its requester; it then runs for the requester. 409 once decided.',
  })
  @ApiOkResponse({ type: ExportDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  approve(@IdParam('exportId') id: string): Promise<ExportView> {
    return this.requests.approve(id);
  }

  @Post(':exportId/reject')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Reject an export, with a reason', description: '409 once decided.' })
  @ApiOkResponse({ type: ExportDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  reject(@IdParam('exportId') id: string, @Body() body: RejectExportDto): Promise<ExportView> {
    return this.requests.reject(id, body.reason);
  }

  @Post(':exportId/revoke')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Withdraw your pending export request',
    description: '409 once decided.',
  })
  @ApiOkResponse({ type: ExportDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  revoke(@IdParam('exportId') id: string): Promise<ExportView> {
    return this.requests.revoke(id);
  }
}
