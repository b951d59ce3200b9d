import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  type Actor,
  isSuperAdminInPerson,
} from '@custos/core';
import { Account, lockAccount } from '@custos/identity';
import { SensitiveDataSetting, type SensitiveDataCategory } from './sensitive-data-setting.entity';
import type { SensitiveDataStatusDto } from './sensitive-data.dto';

/** What the sensitive-data rules need to know about an account. */
export interface SensitiveDataState {
  enabled: boolean;
  /** Whether sensitive property definitions may be created and edited (enterprise edition). */
  enterprise: boolean;
}

/** The account's irreversible sensitive-data setting. */
@Injectable()
export class SensitiveDataService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Enabled? Enterprise? One query; read inside the caller's transaction when there is one.
   * `lock` (PostgreSQL) holds a share lock on the account row until that transaction ends, so
   * enabling (which locks the row for update) cannot slip in between the read and the write.
   */
  async state(
    accountId: string,
    manager: EntityManager = this.transactions.manager,
    lock = false,
  ): Promise<SensitiveDataState> {
    const builder = manager
      .createQueryBuilder()
      .select('a.edition', 'edition')
      .addSelect('s.account_id', 'enabled')
      .from(Account, 'a')
      .leftJoin(SensitiveDataSetting, 's', 's.account_id = a.id')
      .where('a.id = :accountId', { accountId });
    if (lock && manager.connection.options.type === 'postgres') {
      builder.setLock('pessimistic_read', undefined, ['a']);
    }
    const [row] = await builder.getRawMany<{ edition: string; enabled: string | null }>();
    return { enabled: Boolean(row?.enabled), enterprise: row?.edition === 'enterprise' };
  }

  async status(): Promise<SensitiveDataStatusDto> {
    const accountId = this.context.requireAccountId();
    const manager = this.transactions.manager;
    const [setting, account] = await this.transactions.all(
      () => manager.findOneBy(SensitiveDataSetting, { accountId }),
      () => manager.findOneByOrFail(Account, { id: accountId }),
    );
    return {
      enabled: Boolean(setting),
      categories: setting?.categories ?? [],
      enabledAt: setting ? setting.enabledAt.toISOString() : null,
      edition: account.edition,
    };
  }

  /** Turns sensitive data on for good; a second call → 409. */
  async enable(categories: SensitiveDataCategory[]): Promise<SensitiveDataStatusDto> {
    const actor = this.requireSuperAdminUser();
    await this.transactions.run(async (manager) => {
      const account = await lockAccountOrFail(manager, actor.accountId);
      if (account.edition !== 'enterprise') {
        throw new CustosError(
          'forbidden',
          'sensitive_data.edition_required',
          'Sensitive data needs the enterprise edition.',
        );
      }
      if (await manager.findOneBy(SensitiveDataSetting, { accountId: actor.accountId })) {
        throw alreadyEnabled();
      }
      const now = this.clock.now();
      await manager.insert(SensitiveDataSetting, {
        accountId: actor.accountId,
        categories: [...categories].sort(),
        enabledAt: now,
        enabledBy: actor.userId ?? actor.id,
        updatedAt: now,
      });
      await this.audit.record({
        action: 'sensitive_data.enabled',
        targetType: 'account',
        targetId: actor.accountId,
        metadata: { categories: [...categories].sort(), termsAccepted: true },
      });
    });
    return this.status();
  }

  /** Replaces the categories of an enabled setting (audited with before and after). */
  async updateCategories(categories: SensitiveDataCategory[]): Promise<SensitiveDataStatusDto> {
    const actor = this.requireSuperAdminUser();
    await this.transactions.run(async (manager) => {
      await lockAccountOrFail(manager, actor.accountId);
      const setting = await manager.findOneBy(SensitiveDataSetting, { accountId: actor.accountId });
      if (!setting) {
        throw new CustosError(
          'conflict',
          'sensitive_data.not_enabled',
          'Sensitive data is not enabled for this account; enable it first.',
        );
      }
      const after = [...categories].sort();
      await manager.update(
        SensitiveDataSetting,
        { accountId: actor.accountId },
        { categories: after, updatedAt: this.clock.now() },
      );
      await this.audit.record({
        action: 'sensitive_data.categories_changed',
        targetType: 'account',
        targetId: actor.accountId,
        metadata: { before: setting.categories, after },
      });
    });
    return this.status();
  }

  /** There is no way back: every attempt to turn the setting off is refused. */
  refuseDisable(): never {
    this.requireSuperAdminUser();
    throw new CustosError(
      'conflict',
      'sensitive_data.irreversible',
      'Sensitive data cannot be turned off once enabled (product rule: the setting is irreversible).',
    );
  }

  private requireSuperAdminUser(): Actor {
    return requireSuperAdminUser(
      this.context,
      'Only a super admin of the account may change the sensitive-data setting.',
    );
  }
}

/** A super admin of the account in person: not partner admins, private apps, support or jobs. */
export function requireSuperAdminUser(context: RequestContext, detail: string): Actor {
  const actor = context.requireActor();
  if (!isSuperAdminInPerson(actor)) {
    throw new CustosError('forbidden', 'sensitive_data.super_admin_only', detail);
  }
  return actor;
}

/** Locks the account row (see `lockAccount`); settings of all kinds serialise on it. */
export async function lockAccountOrFail(
  manager: EntityManager,
  accountId: string,
): Promise<Account> {
  const account = await lockAccount(manager, accountId);
  if (!account) {
    throw new CustosError('not_found', 'identity.account_not_found', 'There is no such account.');
  }
  return account;
}

function alreadyEnabled(): CustosError {
  return new CustosError(
    'conflict',
    'sensitive_data.already_enabled',
    'Sensitive data is already enabled; change the categories with PATCH instead.',
  );
}
