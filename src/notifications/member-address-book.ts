import { Injectable } from '@nestjs/common';
import { TransactionHost, type NotificationAddressBook } from '@custos/core';
import { Membership, User } from '@custos/identity';

/** Addresses of active members (their login's email): invited and deactivated users get none. */
@Injectable()
export class MemberAddressBook implements NotificationAddressBook {
  constructor(private readonly transactions: TransactionHost) {}

  async addressesOf(
    accountId: string,
    userIds: readonly string[],
  ): Promise<ReadonlyMap<string, string>> {
    if (userIds.length === 0) {
      return new Map();
    }
    const rows: { userId: string; email: string }[] = await this.transactions.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoin(User, 'u', 'u.id = m.userId')
      .select('m.userId', 'userId')
      .addSelect('u.email', 'email')
      .where('m.accountId = :accountId', { accountId })
      .andWhere('m.status = :active', { active: 'active' })
      .andWhere('m.userId IN (:...userIds)', { userIds })
      .getRawMany();
    return new Map(rows.map((row) => [row.userId, row.email]));
  }
}
