import { AuditService } from '@custos/audit';
import {
  Clock,
  RequestContext,
  TransactionHost,
  keysetPage,
  newId,
  systemActor,
  type Page,
} from '@custos/core';
import { Injectable } from '@nestjs/common';
import { requireAddress } from '../addresses';
import { ConsentErrors } from '../consent.errors';
import { BlacklistEntry, type BlacklistReason } from './blacklist-entry.entity';

export interface BlacklistEntryView {
  id: string;
  kind: BlacklistEntry['kind'];
  value: string;
  reason: BlacklistReason;
  createdAt: Date;
}

const view = (e: BlacklistEntry): BlacklistEntryView => ({
  id: e.id,
  kind: e.kind,
  value: e.value,
  reason: e.reason,
  createdAt: e.createdAt,
});

/**
 * The account's global blacklist of normalised addresses and phone numbers: no marketing message
 * goes to them whatever the consent; transactional messages (quotes, invoices) still do.
 * Audit events name the entry id and kind, never the address.
 */
@Injectable()
export class Blacklist {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Adds the address (idempotent: an address already listed keeps its entry). */
  async add(address: string): Promise<BlacklistEntryView> {
    const normal = requireAddress(address, 'address');
    return view(await this.addNormal(this.context.requireAccountId(), normal, 'manual'));
  }

  /** Adds an already normalised address for `reason`, in the current transaction. */
  async addNormal(
    accountId: string,
    normal: { kind: BlacklistEntry['kind']; value: string },
    reason: BlacklistReason,
  ): Promise<BlacklistEntry> {
    return this.transactions.run(async (manager) => {
      const entry = Object.assign(new BlacklistEntry(), {
        id: newId(),
        accountId,
        kind: normal.kind,
        value: normal.value,
        reason,
        createdAt: this.clock.now(),
      });
      await manager
        .createQueryBuilder()
        .insert()
        .into(BlacklistEntry)
        .values(entry)
        .orIgnore()
        .execute();
      const stored = await manager.findOneByOrFail(BlacklistEntry, {
        accountId,
        value: normal.value,
      });
      if (stored.id === entry.id) {
        await this.audit.record({
          accountId,
          // The bounce rule acts with no one signed in.
          actor: this.context.actor ?? systemActor(accountId),
          action: 'consent.blacklisted',
          targetType: 'consent_blacklist',
          targetId: entry.id,
          metadata: { kind: entry.kind, reason },
        });
      }
      return stored;
    });
  }

  /** Lifts the block of an address: 404 when it is not listed. Audited. */
  async lift(address: string): Promise<void> {
    const normal = requireAddress(address, 'address');
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const entry = await manager.findOneBy(BlacklistEntry, { accountId, value: normal.value });
      if (!entry) {
        throw ConsentErrors.notBlacklisted();
      }
      await manager.delete(BlacklistEntry, { id: entry.id });
      await this.audit.record({
        action: 'consent.blacklist_lifted',
        targetType: 'consent_blacklist',
        targetId: entry.id,
        metadata: { kind: entry.kind, reason: entry.reason },
      });
    });
  }

  list(page: { limit?: number; after?: string }): Promise<Page<BlacklistEntryView>> {
    const builder = this.transactions.manager
      .createQueryBuilder(BlacklistEntry, 'b')
      .where('b.account_id = :accountId', { accountId: this.context.requireAccountId() });
    return keysetPage(builder, 'b.id', (e: BlacklistEntry) => e.id, page).then((p) => ({
      results: p.results.map(view),
      paging: p.paging,
    }));
  }

  /** Whether the normalised address is on the account's blacklist. */
  async has(accountId: string, normalValue: string): Promise<boolean> {
    const rows = await this.transactions.queryPrepared(
      'consent_blacklist_has',
      'SELECT 1 AS hit FROM consent_blacklist WHERE account_id = $1 AND value = $2',
      [accountId, normalValue],
    );
    return rows.length > 0;
  }
}
