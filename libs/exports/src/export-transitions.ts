import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { AuditService, type AuditMetadata } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, systemActor } from '@custos/core';
import { DataExport, type ExportState } from './export.entity';

/** What an export is named by in its audit events: references and counts, never a value. */
export function auditSummaryOf(entity: DataExport): AuditMetadata {
  return {
    source: entity.source,
    format: entity.format,
    description: entity.description,
    properties: entity.target.properties,
    reveal: entity.target.reveal,
    sensitive: entity.sensitive,
  };
}

/**
 * The one way an export changes state: a conditional update from the state the caller expects
 * (`UPDATE … WHERE id = ? AND state = ?`) and, when it took, one audit event `export.<state>` in
 * the same transaction. A transition that lost a race changes nothing and records nothing.
 */
@Injectable()
export class ExportTransitions {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly context: RequestContext,
  ) {}

  /**
   * Moves the export from `from` to `to` with `changes`; returns the export as it now is, or
   * `null` when it was no longer in `from`. `metadata` joins the audit event, recorded as the
   * current actor, or the account's system actor for work no actor is bound to (schedules, start-up).
   */
  async move(
    id: string,
    from: ExportState | readonly ExportState[],
    to: ExportState,
    changes: QueryDeepPartialEntity<DataExport> = {},
    options: { metadata?: AuditMetadata } = {},
  ): Promise<DataExport | null> {
    const expected = typeof from === 'string' ? [from] : from;
    return this.transactions.run(async (manager) => {
      const current = await manager.findOneBy(DataExport, { id });
      if (!current || !expected.includes(current.state)) {
        return null;
      }
      const result = await manager
        .createQueryBuilder()
        .update(DataExport)
        .set({ ...changes, state: to, updatedAt: this.clock.now() })
        .where('id = :id AND state = :state', { id, state: current.state })
        .execute();
      if (result.affected !== 1) {
        return null;
      }
      const moved = await manager.findOneByOrFail(DataExport, { id });
      await this.audit.record({
        action: `export.${to}`,
        targetType: 'export',
        targetId: id,
        accountId: moved.accountId,
        actor: this.context.actor ?? systemActor(moved.accountId),
        metadata: { from: current.state, to, ...auditSummaryOf(moved), ...options.metadata },
      });
      return moved;
    });
  }
}
