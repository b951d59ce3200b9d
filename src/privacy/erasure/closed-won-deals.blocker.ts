import { ErasureRules, type ErasureBlocker } from '@custos/privacy';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHost } from '@custos/core';

/** The blocker's key, in the privacy log and audit events. */
export const CLOSED_WON_DEALS = 'crm.closed_won_deals';

/**
 * A deal won is a contract: its records are kept under the legal obligation to keep business
 * records (commercial and tax law) and for the contract itself (Art. 6(1)(b), (c); Art. 17(3)(b),
 * (e)). A contact associated with a deal in the `closedwon` stage (archived or not) is therefore
 * anonymised, not deleted, so the deal keeps its link.
 */
@Injectable()
export class ClosedWonDealsBlocker implements ErasureBlocker, OnModuleInit {
  readonly key = CLOSED_WON_DEALS;
  readonly reason = 'a closed-won deal is a contract kept under a legal obligation';

  constructor(
    private readonly rules: ErasureRules,
    private readonly transactions: TransactionHost,
  ) {}

  onModuleInit(): void {
    this.rules.addBlocker(this);
  }

  async holds(manager: EntityManager, accountId: string, contactId: string): Promise<boolean> {
    // Associations are stored once per pair, in type order: contacts → deals.
    const sql =
      "SELECT 1 AS hit FROM crm_association a JOIN crm_deal d ON d.account_id = a.account_id AND d.id = a.to_id WHERE a.account_id = $1 AND a.from_type = 'contacts' AND a.from_id = $2 AND a.to_type = 'deals' AND d.dealstage = 'closedwon' LIMIT 1";
    const rows = await manager.query<unknown[]>(
      this.transactions.isPostgres ? sql : sql.replace(/\$\d+/g, '?'),
      [accountId, contactId],
    );
    return rows.length > 0;
  }
}
