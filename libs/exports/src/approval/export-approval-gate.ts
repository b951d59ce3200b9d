import { Injectable } from '@nestjs/common';
import { Approvals } from '@custos/approvals';
import type { Actor } from '@custos/core';
import { ExportAccess } from '../export-access';
import type { ExportPlan } from '../export-source';
import type { DataExport } from '../export.entity';
import { ExportSettingsService, type ExportSettings } from '../settings/export-settings.service';

/** The approval kind of exports. */
export const EXPORT_APPROVAL_KIND = 'export';

/** Why an export needs approval: it holds sensitive data, or more rows than the account's threshold. */
export type ExportApprovalReason = 'sensitive' | 'threshold';

/**
 * The one rule of when an export needs approval, for asking and for running: sensitive data
 * always, more rows than the threshold when the account requires it, unless the actor may skip
 * approval. At run time an export that needs it runs only on its own approved request, as the
 * approvals engine holds it — never on the export's state or `approval_id` alone.
 */
@Injectable()
export class ExportApprovalGate {
  constructor(
    private readonly access: ExportAccess,
    private readonly settings: ExportSettingsService,
    private readonly approvals: Approvals,
  ) {}

  /** Why `actor` needs approval to export what `plan` holds; `null` when they need none. */
  async needed(
    actor: Actor,
    plan: ExportPlan,
    settings?: ExportSettings,
  ): Promise<ExportApprovalReason | null> {
    const { approvalRequired, recordThreshold } =
      settings ?? (await this.settings.get(actor.accountId));
    const reason = plan.sensitive
      ? 'sensitive'
      : approvalRequired && plan.count > recordThreshold
        ? 'threshold'
        : null;
    return reason !== null && !(await this.access.mayBypassApproval(actor)) ? reason : null;
  }

  /**
   * Whether the export may run now as `actor` (its requester as they are now) with what `plan`
   * holds now: it needs no approval, or its own approval request was approved for its requester
   * and covers it — sensitive data only if the approver was shown it held some.
   */
  async cleared(entity: DataExport, actor: Actor, plan: ExportPlan): Promise<boolean> {
    if (entity.approvalId === null || (plan.sensitive && !entity.sensitive)) {
      return (await this.needed(actor, plan)) === null;
    }
    const requests = await this.approvals.forSubject(EXPORT_APPROVAL_KIND, entity.id);
    return requests.some(
      (request) =>
        request.id === entity.approvalId &&
        request.state === 'approved' &&
        request.requesterUserId === entity.requester.userId,
    );
  }
}
