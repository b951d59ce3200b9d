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
import { createHmac, type KeyObject, createSecretKey } from 'node:crypto';
import { deriveKey } from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import { requireAddress } from '../addresses';
import { CONSENT_MODULE_OPTIONS, type ConsentModuleOptions } from '../consent.module-definition';
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
  private readonly erasedKey: KeyObject;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(CONSENT_MODULE_OPTIONS) options: ConsentModuleOptions,
  ) {
    this.erasedKey = createSecretKey(deriveKey(options.secret, 'custos/consent-erased-values'));
  }

  /**
   * How an erased subject's normalised value is kept: `erased:` and HMAC-SHA256 under a key of
   * the lib's secret, with the account — so that nobody holding the database alone can test
   * guessed addresses against it.
   */
  erasedValueOf(accountId: string, normalValue: string): string {
    const mac = createHmac('sha256', this.erasedKey)
      .update(`${accountId}\n${normalValue}`)
      .digest('hex');
    return `erased:${mac}`;
  }

  /**
   * Lists an erased subject's normalised address or number by its keyed hash, in the current
   * transaction (idempotent), and drops a plain entry of the same value (it is personal data).
   * Imports and creates ask {@link isErased} so the subject is not brought back.
   */
  async addErased(
    accountId: string,
    normal: { kind: BlacklistEntry['kind']; value: string },
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.delete(BlacklistEntry, { accountId, value: normal.value });
      await this.addNormal(
        accountId,
        { kind: normal.kind, value: this.erasedValueOf(accountId, normal.value) },
        'erasure',
      );
    });
  }

  /** Whether the normalised value belongs to an erased subject (listed by its keyed hash). */
  async isErased(accountId: string, normalValue: string): Promise<boolean> {
    const rows = await this.transactions.queryPrepared(
      'consent_blacklist_has',
      'SELECT 1 AS hit FROM consent_blacklist WHERE account_id = $1 AND value = $2',
      [accountId, this.erasedValueOf(accountId, normalValue)],
    );
    return rows.length > 0;
  }

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

  /** Whether the normalised address is on the account's blacklist (plain or as an erased one's). */
  async has(accountId: string, normalValue: string): Promise<boolean> {
    const rows = await this.transactions.queryPrepared(
      'consent_blacklist_has_either',
      'SELECT 1 AS hit FROM consent_blacklist WHERE account_id = $1 AND value IN ($2, $3)',
      [accountId, normalValue, this.erasedValueOf(accountId, normalValue)],
    );
    return rows.length > 0;
  }
}
