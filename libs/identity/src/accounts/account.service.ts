import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  newId,
  type Actor,
  isMemberInPerson,
} from '@custos/core';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { Membership } from '../users/membership.entity';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import { Account } from './account.entity';
import type { AccountDto, MyAccountDto } from './account.dto';

@Injectable()
export class AccountService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The accounts the acting person belongs to (for switching between them). */
  async listMine(): Promise<MyAccountDto[]> {
    const actor = this.context.requireActor();
    if (!isMemberInPerson(actor)) {
      return [this.withRole(await this.findCurrent(), false)];
    }
    const memberships = await this.transactions.manager.findBy(Membership, {
      userId: actor.userId,
      status: 'active',
    });
    const accounts = await this.transactions.manager.find(Account, {
      where: { id: In(memberships.map((m) => m.accountId)) },
      order: { name: 'ASC' },
    });
    return accounts.map((a) =>
      this.withRole(
        a,
        memberships.some((m) => m.accountId === a.id && m.superAdmin),
      ),
    );
  }

  async getCurrent(): Promise<AccountDto> {
    return toAccountDto(await this.findCurrent());
  }

  async rename(name: string): Promise<AccountDto> {
    return this.transactions.run(async (manager) => {
      const account = await this.findCurrent();
      const before = account.name;
      account.name = name;
      account.updatedAt = this.clock.now();
      await manager.update(Account, { id: account.id }, { name, updatedAt: account.updatedAt });
      await this.audit.record({
        action: 'account.updated',
        targetType: 'account',
        targetId: account.id,
        metadata: { before: { name: before }, after: { name } },
      });
      return toAccountDto(account);
    });
  }

  /** A new account with the acting person as its first super admin. */
  async createForActor(name: string): Promise<MyAccountDto> {
    const actor = this.context.requireActor();
    if (!isMemberInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.people_only',
        'Only people can create accounts.',
      );
    }
    const user = await this.transactions.manager.findOneByOrFail(User, { id: actor.userId });
    return this.transactions.run(async (manager) =>
      this.withRole(await this.createAccount(manager, name, user), true),
    );
  }

  /**
   * Creates an account, its root business unit and `founder` as its first super admin, audited
   * in the new account's own chain. Runs in the caller's transaction.
   */
  async createAccount(manager: EntityManager, name: string, founder: User): Promise<Account> {
    const now = this.clock.now();
    const account = manager.create(Account, { id: newId(), name, createdAt: now, updatedAt: now });
    await manager.insert(Account, account);
    const root = manager.create(BusinessUnit, {
      id: newId(),
      accountId: account.id,
      name,
      parentId: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(BusinessUnit, root);
    const membership = manager.create(Membership, {
      id: newId(),
      accountId: account.id,
      userId: founder.id,
      superAdmin: true,
      status: 'active',
      businessUnitId: root.id,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(Membership, membership);
    const actor: Actor = userActor(founder, membership);
    await this.audit.record({
      accountId: account.id,
      actor,
      action: 'account.created',
      targetType: 'account',
      targetId: account.id,
      metadata: { after: { name } },
    });
    await this.audit.record({
      accountId: account.id,
      actor,
      action: 'user.added',
      targetType: 'user',
      targetId: founder.id,
      metadata: { after: { superAdmin: true, businessUnitId: root.id } },
    });
    return account;
  }

  private async findCurrent(): Promise<Account> {
    return this.transactions.manager.findOneByOrFail(Account, {
      id: this.context.requireAccountId(),
    });
  }

  private withRole(account: Account, superAdmin: boolean): MyAccountDto {
    return { ...toAccountDto(account), superAdmin };
  }
}

function toAccountDto(account: Account): AccountDto {
  return { id: account.id, name: account.name, createdAt: account.createdAt.toISOString() };
}
