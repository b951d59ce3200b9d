import { ApiProblemResponses, RequestContext, RequirePrivilege, type Page } from '@custos/core';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEventPageDto, type AuditEventDto } from './audit-event.dto';
import { AuditLogQueryDto } from './audit-log-query.dto';
import { AuditLogReader } from './audit-log-reader';
import { AuditService } from './audit.service';
import type { ChainVerification } from './audit.types';
import { ChainVerificationDto } from './chain-verification.dto';

/** Read access to the account's audit log, for super admins and holders of `view_audit_log`. */
@ApiTags('audit log')
@ApiBearerAuth()
@Controller('audit-log')
export class AuditLogController {
  constructor(
    private readonly audit: AuditService,
    private readonly reader: AuditLogReader,
    private readonly context: RequestContext,
  ) {}

  @Get()
  @RequirePrivilege('view_audit_log')
  @ApiOperation({
    summary: 'List audit events of the account, newest first, with filters',
    description:
      'For super admins and holders of `view_audit_log` (support sessions hold it). Readers who are not super admins in person see every event, with the names of properties they may not read (on that object type, or any property of a record outside their scope) and of sensitive properties removed from its metadata (`metadataRedacted: true`); stored events never change, so the chain still verifies.',
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
  list(@Query() query: AuditLogQueryDto): Promise<Page<AuditEventDto>> {
    return this.reader.list(query, query);
  }

  @Get('verify')
  @RequirePrivilege('view_audit_log')
  @ApiOperation({ summary: "Verify that the account's audit chain is complete and unaltered" })
  @ApiOkResponse({ type: ChainVerificationDto })
  @ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
  verify(): Promise<ChainVerification> {
    return this.audit.verify(this.context.requireAccountId());
  }
}
