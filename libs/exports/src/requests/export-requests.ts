import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { Approvals } from '@custos/approvals';
import { Clock, Jobs, RequestContext, TransactionHost, newId, snapshotOf } from '@custos/core';
import { isRequester } from '../export-access';
import { EXPORT_APPROVAL_KIND, ExportApprovalGate } from '../approval/export-approval-gate';
import type { ExportTarget } from '../export-source';
import { ExportSources } from '../export-sources';
import { auditSummaryOf, ExportTransitions } from '../export-transitions';
import { DataExport, EXPORT_FORMATS, type ExportFormat } from '../export.entity';
import { viewOf, type ExportView } from '../export.view';
import { ExportErrors } from '../exports.errors';
import { ExportLog } from '../log/export-log';
import { ExportRunner } from '../run/export-runner';
import { ExportSettingsService } from '../settings/export-settings.service';

/** What a requester asks for (`POST /exports`). */
export interface ExportRequest {
  source: string;
  format: string;
  selection?: Record<string, unknown>;
  properties: string[];
  reveal?: string[];
  /** Approvers to notify when it needs approval (any eligible approver may decide). */
  notify?: string[];
  /** A note for the approvers. */
  message?: string | null;
}

/**
 * Asks for exports and acts on them: plans the request for the actor (the source's refusals as
 * they are, nothing written), then in one transaction writes the export with either its approval
 * request or its queued job. Approval is needed above the account's threshold, and always for
 * sensitive data, unless the requester may skip it.
 */
@Injectable()
export class ExportRequests {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly sources: ExportSources,
    private readonly settings: ExportSettingsService,
    private readonly gate: ExportApprovalGate,
    private readonly approvals: Approvals,
    private readonly runner: ExportRunner,
    private readonly transitions: ExportTransitions,
    private readonly log: ExportLog,
    private readonly jobs: Jobs,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(request: ExportRequest): Promise<ExportView> {
    const actor = this.context.requireActor();
    const format = formatOf(request.format);
    const source = this.sources.get(request.source);
    const target: ExportTarget = {
      source: source.name,
      selection: request.selection ?? {},
      properties: request.properties,
      reveal: request.reveal ?? [],
    };
    const plan = await source.plan(target);
    const settings = await this.settings.get(actor.accountId);
    const approvalReason = await this.gate.needed(actor, plan, settings);
    const needsApproval = approvalReason !== null;
    // Refused before anything is written, saying why approval is needed and how to go on.
    if (approvalReason !== null && !this.approvals.mayRequest(actor)) {
      throw ExportErrors.approvalNeedsPerson(approvalReason);
    }
    return this.transactions.run(async (manager) => {
      const now = this.clock.now();
      const entity = manager.create(DataExport, {
        id: newId(),
        accountId: actor.accountId,
        requester: snapshotOf(actor),
        requesterScopes: actor.scopes ? [...actor.scopes] : null,
        source: source.name,
        target: {
          selection: target.selection,
          properties: target.properties,
          reveal: target.reveal ?? [],
        },
        description: plan.description,
        format,
        state: needsApproval ? 'pending_approval' : 'queued',
        rowsDone: 0,
        rowsTotal: plan.count,
        sensitive: plan.sensitive,
        approvalId: null,
        decidedByUserId: null,
        reason: null,
        jobId: null,
        fileKey: null,
        contentType: null,
        fileExtension: null,
        size: null,
        sha256: null,
        fileExpiresAt: null,
        downloads: 0,
        errorCode: null,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
      });
      await manager.save(DataExport, entity);
      await this.audit.record({
        action: 'export.requested',
        targetType: 'export',
        targetId: entity.id,
        metadata: { state: entity.state, rows: plan.count, ...auditSummaryOf(entity) },
      });
      if (needsApproval) {
        const approval = await this.approvals.request({
          kind: EXPORT_APPROVAL_KIND,
          subjectId: entity.id,
          notify: request.notify ?? [],
          message: request.message ?? null,
          expiresAt: new Date(now.getTime() + settings.pendingExpiryHours * 3_600_000),
        });
        entity.approvalId = approval.id;
        await manager.update(DataExport, { id: entity.id }, { approvalId: approval.id });
      } else {
        const job = await this.runner.enqueue(entity);
        entity.jobId = job?.id ?? null;
      }
      return viewOf(entity);
    });
  }

  /**
   * The requester cancels a queued or running export: its job is cancelled (a queued export ends
   * at once; a running one stops between batches and keeps no file). 409 once it is over.
   */
  async cancel(id: string): Promise<ExportView> {
    const entity = await this.log.find(id);
    if (!isRequester(this.context.requireActor(), entity)) {
      throw ExportErrors.notRequester();
    }
    if (entity.state !== 'queued' && entity.state !== 'running') {
      throw ExportErrors.stateConflict(entity.state);
    }
    if (entity.jobId !== null) {
      await this.jobs.cancel(entity.jobId).catch(() => undefined); // over already: the state below says so
    }
    // Without a job id (a backend that queues after the commit), or were the job already over.
    await this.transitions.move(id, 'queued', 'cancelled', { finishedAt: this.clock.now() });
    return this.log.get(id);
  }

  /** An approver approves a pending export: it is queued to run as its requester. */
  async approve(id: string): Promise<ExportView> {
    await this.approvals.approve(await this.approvalIdOf(id));
    return this.log.get(id);
  }

  /** An approver rejects a pending export, with a reason the requester is told. */
  async reject(id: string, reason: string): Promise<ExportView> {
    await this.approvals.reject(await this.approvalIdOf(id), reason);
    return this.log.get(id);
  }

  /** The requester withdraws their pending request. */
  async revoke(id: string): Promise<ExportView> {
    const entity = await this.log.find(id);
    if (!isRequester(this.context.requireActor(), entity)) {
      throw ExportErrors.notRequester();
    }
    await this.approvals.revoke(await this.approvalIdOf(id));
    return this.log.get(id);
  }

  private async approvalIdOf(id: string): Promise<string> {
    const entity = await this.log.find(id);
    if (entity.approvalId === null) {
      throw ExportErrors.notPending();
    }
    return entity.approvalId;
  }
}

function formatOf(format: string): ExportFormat {
  if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
    throw ExportErrors.unknownFormat();
  }
  return format as ExportFormat;
}
