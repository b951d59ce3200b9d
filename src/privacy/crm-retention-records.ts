import { Clock, TransactionHost } from '@custos/core';
import {
  RetentionPolicies,
  addCalendarMonths,
  type RetentionBlockerContext,
  type RetentionRecordType,
} from '@custos/privacy';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OBJECT_TYPES } from '../crm/kernel';
import { RecordArchive } from '../crm/records';
import { CLOSED_WON_DEALS } from './erasure/closed-won-deals.blocker';

/**
 * Companies and deals under retention policies. Deleted through the CRM's purge (history,
 * associations, files and what every feature keeps go with the record). Anonymised, a record
 * keeps its standard properties (a company's name, phone and address are a legal person's; a
 * deal's name, amount, stage and dates are the business record) and its files (a contract's
 * document is that record too); its custom properties — the fields that may name people — are
 * emptied with their history, blind-index tokens and unique values. A deal in `closedwon` is a
 * contract kept under a legal obligation, the blocker erasure already applies to its contacts:
 * it is anonymised, not deleted — until the policy's legal period after its close date is over.
 * A company is `inactive` when neither it nor any deal associated with it was created or changed
 * since the cutoff.
 */
@Injectable()
export class CrmRetentionRecords implements OnModuleInit {
  constructor(
    private readonly policies: RetentionPolicies,
    private readonly archive: RecordArchive,
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.policies.addRecordType({
      ...this.type('companies', async () => []),
      // Links are stored companies → deals (the canonical direction of associations).
      activity:
        "EXISTS (SELECT 1 FROM crm_association rt_a JOIN crm_deal rt_deal ON rt_deal.account_id = rt_a.account_id AND rt_deal.id = rt_a.to_id WHERE rt_a.account_id = c.account_id AND rt_a.from_type = 'companies' AND rt_a.from_id = c.id AND rt_a.to_type = 'deals' AND (rt_deal.updated_at >= :retentionCutoff OR rt_deal.created_at >= :retentionCutoff))",
    });
    this.policies.addRecordType({
      ...this.type('deals', (manager, accountId, recordId, context) =>
        this.closedWon(manager, accountId, recordId, context),
      ),
      closed: {
        stageColumn: 'dealstage',
        stages: ['closedwon', 'closedlost'],
        dateColumn: 'closedate',
      },
    });
  }

  private type(
    objectType: 'companies' | 'deals',
    blockers: RetentionRecordType['blockers'],
  ): RetentionRecordType {
    return {
      objectType,
      table: OBJECT_TYPES[objectType].table,
      blockers,
      erase: (manager, { accountId, recordId, outcome }) =>
        outcome === 'deleted'
          ? this.archive.purge(manager, { accountId, objectType, recordIds: [recordId] })
          : this.anonymise(manager, objectType, accountId, recordId),
    };
  }

  /**
   * A closed-won deal, unless the legal period after its close date is over (closed on 10 Mar 2016
   * with 10 years: kept through 10 Mar 2026). One without a close date cannot show that: kept.
   */
  private async closedWon(
    manager: EntityManager,
    accountId: string,
    dealId: string,
    { legalPeriodYears, today }: RetentionBlockerContext,
  ): Promise<string[]> {
    const over = legalPeriodYears === null ? '' : 'AND (closedate IS NULL OR closedate >= $3)';
    const parameters: unknown[] = [accountId, dealId];
    if (legalPeriodYears !== null) {
      parameters.push(addCalendarMonths(today, -12 * legalPeriodYears));
    }
    const rows = await manager.query<unknown[]>(
      this.sql(
        `SELECT 1 AS hit FROM crm_deal WHERE account_id = $1 AND id = $2 AND dealstage = 'closedwon' ${over}`,
      ),
      parameters,
    );
    return rows.length > 0 ? [CLOSED_WON_DEALS] : [];
  }

  private async anonymise(
    manager: EntityManager,
    objectType: 'companies' | 'deals',
    accountId: string,
    recordId: string,
  ): Promise<void> {
    const { table, standard } = OBJECT_TYPES[objectType];
    await manager.query(
      this.sql(
        `UPDATE ${table} SET custom = '{}', updated_at = $1 WHERE account_id = $2 AND id = $3`,
      ),
      [this.clock.now().toISOString(), accountId, recordId],
    );
    // Rows about its custom properties: every property but the standard ones.
    const names = standard.map((property) => property.name);
    const notStandard = names.map((_, i) => `$${i + 4}`).join(', ');
    for (const [rows, column] of [
      ['crm_property_history', 'property_name'],
      ['crm_blind_index', 'property_name'],
      ['crm_unique_value', 'property_name'],
    ]) {
      await manager.query(
        this.sql(
          `DELETE FROM ${rows} WHERE account_id = $1 AND object_type = $2 AND record_id = $3 AND ${column} NOT IN (${notStandard})`,
        ),
        [accountId, objectType, recordId, ...names],
      );
    }
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}
