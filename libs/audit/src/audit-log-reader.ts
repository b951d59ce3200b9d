import { RequestContext, isSuperAdminInPerson, type Page } from '@custos/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AuditEventDto } from './audit-event.dto';
import {
  lookUpRedactor,
  redactMetadata,
  type AuditMetadataRedactor,
} from './audit-metadata-redactor';
import { AuditService } from './audit.service';
import type { AuditEventFilters, AuditPageRequest } from './audit.types';

/**
 * The audit log as the request's actor may see it: super admins in person see every event as
 * stored; other readers (holders of `view_audit_log`, support sessions) see every event with the
 * names the host's {@link AuditMetadataRedactor} hides removed from its metadata.
 */
@Injectable()
export class AuditLogReader implements OnModuleInit {
  private redactor!: AuditMetadataRedactor;

  constructor(
    private readonly audit: AuditService,
    private readonly context: RequestContext,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // The redactor is the host's and may live in any module: looked up, not imported.
    this.redactor = lookUpRedactor(this.moduleRef);
  }

  async list(filters: AuditEventFilters, page: AuditPageRequest): Promise<Page<AuditEventDto>> {
    const reader = this.context.requireActor();
    const events = await this.audit.query(reader.accountId, filters, page);
    if (isSuperAdminInPerson(reader)) {
      return events;
    }
    const hidden = await this.redactor.hiddenFrom(events.results);
    return {
      ...events,
      results: events.results.map((event, index) => {
        const { metadata, redacted } = redactMetadata(event.metadata, hidden[index] ?? 'all');
        return { ...event, metadata, metadataRedacted: redacted };
      }),
    };
  }
}
