import { Injectable } from '@nestjs/common';
import { In, Not, IsNull } from 'typeorm';
import { AccessService, RoleAssignment } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost } from '@custos/core';
import { Account } from '../accounts/account.entity';
import { ScimUser } from '../scim/scim-user.entity';
import { TeamMember } from '../teams/team-member.entity';
import { Membership } from './membership.entity';
import { userActor } from './user-actor';
import type { User } from './user.entity';

/** An account that invited a person, as shown to that person when they sign in. */
export interface InvitingAccount {
  id: string;
  name: string;
}

/**
 * Invitations as the invited person sees them: the accounts that added their login, and their
 * acceptance, which happens only when they sign in with their own credentials.
 */
@Injectable()
export class InvitationService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The invitations waiting for `loginId`, oldest first: those of an administrator (`invited`) and
   * those of an identity provider (`active` until the provider deactivates them).
   */
  pendingFor(loginId: string): Promise<Membership[]> {
    return this.transactions.manager.find(Membership, {
      where: { invitedLoginId: loginId, status: In(['invited', 'active']) },
      order: { id: 'ASC' },
    });
  }

  /** Names of the accounts behind `invitations`, for the person's own sign-in answer. */
  async accountsOf(invitations: Membership[]): Promise<InvitingAccount[]> {
    if (invitations.length === 0) {
      return [];
    }
    const accounts = await this.transactions.manager.find(Account, {
      where: { id: In(invitations.map((m) => m.accountId)) },
      order: { name: 'ASC' },
    });
    return accounts.map((a) => ({ id: a.id, name: a.name }));
  }

  /**
   * Makes `invitation` an active membership of `login`: the account's references to the
   * invitation's id (its team places, roles held in person, SCIM attributes) move to the login's
   * own id; towards the identity provider the person keeps the id it was given. Audited in the
   * account.
   */
  async accept(login: User, invitation: Membership): Promise<Membership> {
    const now = this.clock.now();
    return this.transactions.run(async (manager) => {
      const accepted: Membership = {
        ...invitation,
        userId: login.id,
        status: 'active',
        invitedLoginId: null,
        invitedDisplayName: null,
        updatedAt: now,
      };
      // Guarded by the pending login, so a concurrent second acceptance changes nothing.
      const result = await manager.update(
        Membership,
        { id: invitation.id, invitedLoginId: Not(IsNull()), status: In(['invited', 'active']) },
        {
          userId: accepted.userId,
          status: accepted.status,
          invitedLoginId: null,
          invitedDisplayName: null,
          updatedAt: now,
        },
      );
      if (result.affected === 0) {
        return manager.findOneByOrFail(Membership, { id: invitation.id });
      }
      if (invitation.userId !== login.id) {
        await manager.update(
          TeamMember,
          { accountId: invitation.accountId, userId: invitation.userId },
          { userId: login.id },
        );
        await manager.update(
          RoleAssignment,
          {
            accountId: invitation.accountId,
            principalType: 'user',
            principalId: invitation.userId,
          },
          { principalId: login.id },
        );
        await manager.update(
          ScimUser,
          { accountId: invitation.accountId, userId: invitation.userId },
          { userId: login.id, resourceId: invitation.userId },
        );
      }
      await this.access.bump(invitation.accountId);
      await this.audit.record({
        accountId: invitation.accountId,
        actor: userActor(login, accepted),
        action: 'user.invitation_accepted',
        targetType: 'user',
        targetId: login.id,
        metadata: { invitedAs: invitation.userId },
      });
      return accepted;
    });
  }
}
