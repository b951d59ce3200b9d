import { PrivilegeHolders } from '@custos/identity';
import { Injectable } from '@nestjs/common';

/**
 * Who may be assigned a privacy request: the host answers (with identity, {@link PrivilegeHolderAssignees}),
 * providing it in a global module.
 */
export interface PrivacyAssignees {
  mayHandle(accountId: string, userId: string): Promise<boolean>;
}

export const PRIVACY_ASSIGNEES = Symbol('PRIVACY_ASSIGNEES');

/** Active members holding `manage_privacy_requests` (or super admins), as identity resolves them. */
@Injectable()
export class PrivilegeHolderAssignees implements PrivacyAssignees {
  constructor(private readonly holders: PrivilegeHolders) {}

  async mayHandle(accountId: string, userId: string): Promise<boolean> {
    return (await this.holders.userIds(accountId, 'manage_privacy_requests')).includes(userId);
  }
}
