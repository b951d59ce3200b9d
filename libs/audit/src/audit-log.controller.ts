import { ApiProblemResponses, RequestContext, RequirePrivilege, type Page } from '@custos/core';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEventPageDto, type AuditEventDto } from './audit-event.dto';
import { AuditLogQueryDto } from './audit-log-query.dto';
import { AuditService } from './audit.service';
import type { ChainVerification } from './audit.types';
import { ChainVerificationDto } from './chain-verification.dto';

/** Read access to the account's audit log, for holders of `view_audit_log`. */
@ApiTags('audit log')
@ApiBearerAuth()
@Controller('api/v1/audit-log')
export class AuditLogController {
  constructor(
    private readonly audit: AuditService,
    private readonly context: RequestContext,
  ) {}

  @Get()
  @RequirePrivilege('view_audit_log')
  @ApiOperation({ summary: 'List audit events of the account, newest first, with filters' })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
  list(@Query() query: AuditLogQueryDto): Promise<Page<AuditEventDto>> {
    return this.audit.query(this.context.requireAccountId(), query, query);
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
