import { TransactionHost, mayHoldPrivilege } from '@custos/core';
import { Membership, PrivilegeHolders } from '@custos/identity';
import { Injectable } from '@nestjs/common';

/**
 * Who may be assigned a privacy request: the host answers (with identity, {@link PrivilegeHolderAssignees}),
 * providing it in a global module.
 */
export interface PrivacyAssignees {
  mayHandle(accountId: string, userId: string): Promise<boolean>;
}

export const PRIVACY_ASSIGNEES = Symbol('PRIVACY_ASSIGNEES');

/**
 * Active members holding `manage_privacy_requests` (or super admins), as identity resolves them,
 * under the partner-admin ceiling: a partner admin never handles one, whatever their roles say.
 */
@Injectable()
export class PrivilegeHolderAssignees implements PrivacyAssignees {
  constructor(
    private readonly holders: PrivilegeHolders,
    private readonly transactions: TransactionHost,
  ) {}

  async mayHandle(accountId: string, userId: string): Promise<boolean> {
    if (!(await this.holders.userIds(accountId, 'manage_privacy_requests')).includes(userId)) {
      return false;
    }
    const membership = await this.transactions.manager.findOne(Membership, {
      select: { partnerFirmId: true },
      where: { accountId, userId },
    });
    const kind = membership?.partnerFirmId ? 'partner_admin' : 'user';
    return mayHoldPrivilege({ kind }, 'manage_privacy_requests');
  }
}
