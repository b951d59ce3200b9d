import { TransactionHost } from '@custos/core';
import { Membership } from '@custos/identity';
import { PartnerFirm } from '@custos/partners';
import type { PrivacyProcessors, ProcessorView } from '@custos/privacy';
import { Injectable } from '@nestjs/common';

/**
 * Partner firms acting for the account are its processors (Art. 30(2)): the firms of its active
 * partner admins, in one query.
 */
@Injectable()
export class PartnerProcessors implements PrivacyProcessors {
  constructor(private readonly transactions: TransactionHost) {}

  async processorsOf(accountId: string): Promise<ProcessorView[]> {
    const rows = await this.transactions.manager
      .createQueryBuilder(PartnerFirm, 'f')
      .select('f.name', 'name')
      .where(
        (qb) =>
          `f.id IN ${qb
            .subQuery()
            .select('m.partner_firm_id')
            .from(Membership, 'm')
            .where("m.account_id = :accountId AND m.status = 'active'")
            .andWhere('m.partner_firm_id IS NOT NULL')
            .getQuery()}`,
        { accountId },
      )
      .orderBy('f.name', 'ASC')
      .getRawMany<{ name: string }>();
    return rows.map((row) => ({ name: row.name, kind: 'partner_firm' }));
  }
}
