import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Approvals, type ApprovalKind, type ApprovalView } from '@custos/approvals';
import { Clock, type Actor } from '@custos/core';
import { PrivilegeHolders } from '@custos/identity';
import { ExportAccess } from '../export-access';
import { ExportTransitions } from '../export-transitions';
import { ExportRunner } from '../run/export-runner';
import { EXPORT_APPROVAL_KIND } from './export-approval-gate';

export { EXPORT_APPROVAL_KIND };

/**
 * Exports in the approvals engine: approvers are the account's super admins and holders of
 * `approve_exports`; a decision moves the export in the decision's transaction — approved, it is
 * queued to run as its requester (with their rights when it runs); rejected, revoked or expired,
 * it ends so.
 */
@Injectable()
export class ExportApprovalKind implements ApprovalKind, OnModuleInit {
  readonly name = EXPORT_APPROVAL_KIND;

  constructor(
    private readonly approvals: Approvals,
    private readonly holders: PrivilegeHolders,
    private readonly access: ExportAccess,
    private readonly transitions: ExportTransitions,
    private readonly runner: ExportRunner,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.approvals.register(this);
  }

  approvers(accountId: string): Promise<string[]> {
    return this.holders.userIds(accountId, 'approve_exports');
  }

  mayDecide(actor: Actor): Promise<boolean> {
    return this.access.mayApprove(actor);
  }

  async settled(request: ApprovalView): Promise<void> {
    const id = request.subjectId;
    switch (request.state) {
      case 'approved': {
        const queued = await this.transitions.move(id, 'pending_approval', 'queued', {
          decidedByUserId: request.decidedByUserId,
        });
        if (queued) {
          await this.runner.enqueue(queued);
        }
        return;
      }
      case 'rejected':
        await this.transitions.move(
          id,
          'pending_approval',
          'rejected',
          {
            decidedByUserId: request.decidedByUserId,
            reason: request.reason,
            finishedAt: this.clock.now(),
          },
          { metadata: { approvalId: request.id } },
        );
        return;
      case 'revoked':
      case 'expired':
        await this.transitions.move(id, 'pending_approval', request.state, {
          finishedAt: this.clock.now(),
        });
        return;
      case 'pending':
        return;
    }
  }
}
