import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHost } from '@custos/core';
import { Account } from './account.entity';
import { Membership } from '../users/membership.entity';
import { IdentityErrors } from '../identity.errors';

/**
 * Serialises changes to an account (its super admins, its settings): on PostgreSQL by locking the
 * account row for the rest of the transaction (SQLite transactions are already serialised by
 * TransactionHost). Two super admins demoting each other at once therefore run one after the
 * other, and the second sees the first's result. Returns the account, `null` if there is none.
 */
export async function lockAccount(
  manager: EntityManager,
  accountId: string,
): Promise<Account | null> {
  const query = manager
    .createQueryBuilder(Account, 'account')
    .where('account.id = :accountId', { accountId });
  if (manager.connection.options.type === 'postgres') {
    query.setLock('pessimistic_write');
  }
  return query.getOne();
}

/**
 * "An account always keeps an active super admin." Every path that demotes, deactivates or
 * removes a member — user administration here, and later partner migration or SCIM
 * deprovisioning — asks this service first, inside the transaction that makes the change.
 */
@Injectable()
export class SuperAdminInvariant {
  constructor(private readonly transactions: TransactionHost) {}

  /**
   * Throws `identity.last_super_admin` (409) when `membership` is an active super admin and no
   * other active super admin of its account remains; otherwise does nothing. Locks the account
   * first, so of two concurrent changes the second sees the first. Must run in the transaction
   * that then writes the change, which is why it refuses to run outside one.
   */
  async assertAnotherRemains(
    membership: Pick<Membership, 'id' | 'accountId' | 'superAdmin' | 'status'>,
  ): Promise<void> {
    if (!this.transactions.inTransaction) {
      throw new Error('SuperAdminInvariant.assertAnotherRemains must run inside a transaction.');
    }
    if (!membership.superAdmin || membership.status !== 'active') {
      return;
    }
    const manager = this.transactions.manager;
    await lockAccount(manager, membership.accountId);
    const others = await manager
      .createQueryBuilder(Membership, 'm')
      .where('m.accountId = :accountId', { accountId: membership.accountId })
      .andWhere('m.superAdmin = :yes', { yes: true })
      .andWhere("m.status = 'active'")
      // Nor does one provisioned by SCIM who has not signed in yet (see InvitationService).
      .andWhere('m.invitedLoginId IS NULL')
      // A partner admin never counts as a super admin, whatever the flag says.
      .andWhere('m.partnerFirmId IS NULL')
      .andWhere('m.id <> :membershipId', { membershipId: membership.id })
      .getCount();
    if (others === 0) {
      throw IdentityErrors.lastSuperAdmin();
    }
  }
}
