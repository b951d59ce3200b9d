import { Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '@custos/audit';
import { Clock, CustosError, TransactionHost } from '@custos/core';
import { Account, lockAccount } from '@custos/identity';
import { SensitiveDataService } from '../sensitive-data';
import type { OperatorAccountDto, UpdateOperatorAccountDto } from './operator.dto';

/** How the operator appears in an account's audit log: not a user of the account. */
export const OPERATOR_AUDIT_ACTOR: AuditActor = {
  kind: 'system',
  id: 'operator',
  label: 'platform operator',
};

/** Edition and data region of accounts, changed by the platform operator. */
@Injectable()
export class OperatorService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly sensitiveData: SensitiveDataService,
  ) {}

  async get(accountId: string): Promise<OperatorAccountDto> {
    const manager = this.transactions.manager;
    const account = await manager.findOneBy(Account, { id: accountId });
    if (!account) {
      throw accountNotFound();
    }
    return toDto(account, (await this.sensitiveData.state(accountId, manager)).enabled);
  }

  /**
   * Changes the edition and/or data region, each change audited in the account's log with
   * before and after. All or nothing: a refused region change leaves the edition as it was.
   */
  async update(accountId: string, change: UpdateOperatorAccountDto): Promise<OperatorAccountDto> {
    if (change.edition === undefined && change.dataRegion === undefined) {
      throw new CustosError(
        'validation',
        'operator.nothing_to_change',
        'Give edition, dataRegion or both.',
        {
          errors: [
            { field: 'edition', message: 'give edition or dataRegion' },
            { field: 'dataRegion', message: 'give edition or dataRegion' },
          ],
        },
      );
    }
    await this.transactions.run(async (manager) => {
      const account = await lockAccount(manager, accountId);
      if (!account) {
        throw accountNotFound();
      }
      const edition = change.edition ?? account.edition;
      const dataRegion = change.dataRegion ?? account.dataRegion;
      if (dataRegion !== account.dataRegion) {
        // The account row is locked, and enabling sensitive data locks it too: no race between them.
        if ((await this.sensitiveData.state(accountId, manager)).enabled) {
          throw new CustosError(
            'conflict',
            'sensitive_data.region_locked',
            `This account has sensitive data enabled, so its data stays in region "${account.dataRegion}": ` +
              'moving an account to another data region is blocked while sensitive data is on, and that setting cannot be turned off.',
            {
              errors: [
                { field: 'dataRegion', message: 'cannot change while sensitive data is enabled' },
              ],
            },
          );
        }
      }
      if (edition === account.edition && dataRegion === account.dataRegion) {
        return;
      }
      await manager.update(
        Account,
        { id: accountId },
        { edition, dataRegion, updatedAt: this.clock.now() },
      );
      if (edition !== account.edition) {
        await this.record(accountId, 'account.edition_changed', account.edition, edition);
      }
      if (dataRegion !== account.dataRegion) {
        await this.record(accountId, 'account.data_region_changed', account.dataRegion, dataRegion);
      }
    });
    return this.get(accountId);
  }

  private async record(
    accountId: string,
    action: string,
    before: string,
    after: string,
  ): Promise<void> {
    await this.audit.record({
      accountId,
      actor: OPERATOR_AUDIT_ACTOR,
      action,
      targetType: 'account',
      targetId: accountId,
      metadata: { before, after },
    });
  }
}

function accountNotFound(): CustosError {
  return CustosError.notFound('operator.account_not_found', 'The account');
}

function toDto(account: Account, sensitiveDataEnabled: boolean): OperatorAccountDto {
  return {
    id: account.id,
    name: account.name,
    edition: account.edition,
    dataRegion: account.dataRegion,
    sensitiveDataEnabled,
    updatedAt: account.updatedAt.toISOString(),
  };
}
