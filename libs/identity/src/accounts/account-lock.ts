import type { EntityManager } from 'typeorm';
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
 * Throws `identity.last_super_admin` unless the account keeps an active super admin other than
 * the listed memberships. Call after {@link lockAccount} in the same transaction.
 */
export async function assertAnotherSuperAdmin(
  manager: EntityManager,
  accountId: string,
  excludedMembershipId: string,
): Promise<void> {
  const others = await manager
    .createQueryBuilder(Membership, 'm')
    .where('m.accountId = :accountId', { accountId })
    .andWhere('m.superAdmin = :yes', { yes: true })
    .andWhere("m.status = 'active'")
    .andWhere('m.id <> :excludedMembershipId', { excludedMembershipId })
    .getCount();
  if (others === 0) {
    throw IdentityErrors.lastSuperAdmin();
  }
}
