import { Injectable } from '@nestjs/common';
import { Not, type EntityManager } from 'typeorm';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  mayRemoveSuperAdmins,
  RequestContext,
  TransactionHost,
} from '@custos/core';
import { SuperAdminInvariant, lockAccount } from '../accounts/super-admin-invariant';
import { IdentityErrors } from '../identity.errors';
import { ScimUser } from '../scim/scim-user.entity';
import { SupportAccessGrant } from '../support-access/support-access-grant.entity';
import { Membership } from './membership.entity';
import { User } from './user.entity';

/** The name an erased user shows under: it names nobody. */
export const ERASED_USER_NAME = 'Erased user';

/** The non-personal address that replaces an erased user's sign-in email (unique per user). */
export function erasedUserEmail(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

/**
 * A member of the account erased as a data subject (GDPR Art. 17): identity's part. `deactivate`
 * runs in the transaction that starts the erasure — the rules of who may be erased are checked
 * there, and the person's tokens die at their next request —; the `erase…` methods run later, in
 * the erasure's steps, each idempotent, and replace what names the person. The membership and
 * the login keep their ids, so what the user owned or did stays valid and linked.
 */
@Injectable()
export class MemberErasure {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly superAdmins: SuperAdminInvariant,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks that the actor may erase the member and deactivates them, in the caller's transaction
   * (it must be one). 404 when the user is no (accepted) member of the account; 403 when the
   * member is a super admin and the actor is not one in person; 409 for the operator themself,
   * for a login that other accounts share, and for the last super admin (under the account's
   * lock, so of two concurrent erasures of the last two super admins one is refused).
   */
  async deactivate(userId: string, field: string): Promise<void> {
    const actor = this.context.requireActor();
    const accountId = actor.accountId;
    const manager = this.transactions.manager;
    await lockAccount(manager, accountId);
    const membership = await manager.findOneBy(Membership, { accountId, userId });
    if (!membership || membership.invitedLoginId !== null) {
      throw IdentityErrors.userNotFound();
    }
    if (actor.userId === userId) {
      throw erasureRefused(field, 'identity.erasing_self', 'An operator cannot erase themself.');
    }
    if (membership.superAdmin && membership.status === 'active' && !mayRemoveSuperAdmins(actor)) {
      throw IdentityErrors.superAdminRequired('Only super admins can erase a super admin.', field);
    }
    const elsewhere =
      (await manager.countBy(Membership, { userId, accountId: Not(accountId) })) +
      (await manager.countBy(Membership, { invitedLoginId: userId }));
    if (elsewhere > 0) {
      throw erasureRefused(
        field,
        'identity.login_shared',
        'The login belongs to other accounts too: it is erased only when this account is its last.',
      );
    }
    await this.superAdmins.assertAnotherRemains(membership);
    if (membership.status !== 'deactivated' || membership.superAdmin) {
      await manager.update(
        Membership,
        { id: membership.id },
        {
          status: 'deactivated',
          superAdmin: false,
          credentialGeneration: membership.credentialGeneration + 1,
          updatedAt: this.clock.now(),
        },
      );
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'user.deactivated_for_erasure',
        targetType: 'user',
        targetId: userId,
        metadata: { superAdmin: membership.superAdmin },
      });
    }
  }

  /** The login: email replaced by a placeholder, name replaced, password gone, tokens dead. */
  async eraseLogin(manager: EntityManager, accountId: string, userId: string): Promise<number> {
    if (!(await manager.existsBy(Membership, { accountId, userId }))) {
      return 0;
    }
    const result = await manager
      .createQueryBuilder()
      .update(User)
      .set({
        email: erasedUserEmail(userId),
        displayName: ERASED_USER_NAME,
        passwordHash: null,
        credentialGeneration: () => 'credential_generation + 1',
        updatedAt: this.clock.now(),
      })
      .where('id = :userId AND email <> :erased', { userId, erased: erasedUserEmail(userId) })
      .execute();
    return result.affected ?? 0;
  }

  /** The membership keeps its id and state; the name an invitation gave goes. */
  async eraseMembership(manager: EntityManager, accountId: string, userId: string) {
    const result = await manager
      .createQueryBuilder()
      .update(Membership)
      .set({ invitedDisplayName: null })
      .where('account_id = :accountId AND user_id = :userId', { accountId, userId })
      .andWhere('invited_display_name IS NOT NULL')
      .execute();
    return result.affected ?? 0;
  }

  /** What the identity provider sent about the person (it provisions them again if it still may). */
  async eraseScimUser(manager: EntityManager, accountId: string, userId: string): Promise<number> {
    return (await manager.delete(ScimUser, { accountId, userId })).affected ?? 0;
  }

  /** Support grants naming the person keep their dates; the address becomes the placeholder. */
  async eraseSupportGrants(manager: EntityManager, accountId: string, userId: string) {
    const result = await manager
      .createQueryBuilder()
      .update(SupportAccessGrant)
      .set({ supportUserEmail: erasedUserEmail(userId) })
      .where('account_id = :accountId AND support_user_id = :userId', { accountId, userId })
      .andWhere('support_user_email <> :erased', { erased: erasedUserEmail(userId) })
      .execute();
    return result.affected ?? 0;
  }
}

function erasureRefused(field: string, code: string, detail: string): CustosError {
  return new CustosError('conflict', code, detail, { errors: [{ field, message: detail }] });
}
