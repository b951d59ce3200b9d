import { Injectable } from '@nestjs/common';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import { TransactionHost, systemActor } from '@custos/core';
import { Membership, TeamMember } from '@custos/identity';
import {
  PartnerNotifications,
  type PartnerAccessChange,
} from '../notifications/partner-notifications';
import { PartnerAdminSet } from './partner-admin-set';

/**
 * Ends a partner admin's access to a customer account: the membership, its team places and its
 * own role go, the seat is free, the customer's audit log says why and the firm is told.
 */
@Injectable()
export class PartnerAccessEnd {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly adminSet: PartnerAdminSet,
    private readonly notifications: PartnerNotifications,
  ) {}

  /** In the caller's transaction (or its own). `membership` must be a partner admin's. */
  async end(
    membership: Pick<Membership, 'id' | 'accountId' | 'userId' | 'partnerFirmId'>,
    reason: Extract<PartnerAccessChange, 'ended_by_customer' | 'employee_removed'>,
  ): Promise<void> {
    const { accountId, userId, partnerFirmId } = membership;
    if (partnerFirmId === null) {
      throw new Error('PartnerAccessEnd.end is for partner admins only.');
    }
    await this.transactions.run(async (manager) => {
      // The account's administrative lock first, in the order every administrative change takes it.
      await this.access.lock(accountId);
      await manager.delete(TeamMember, { accountId, userId });
      await manager.delete(Membership, { id: membership.id });
      await this.adminSet.remove(accountId, userId);
      await this.access.bump(accountId);
      await this.audit.record({
        accountId,
        ...(reason === 'employee_removed' ? { actor: systemActor(accountId) } : {}),
        action: 'partner_admin.ended',
        targetType: 'user',
        targetId: userId,
        metadata: { partnerFirmId, reason },
      });
      await this.notifications.accessChanged(partnerFirmId, accountId, userId, reason);
    });
  }
}
