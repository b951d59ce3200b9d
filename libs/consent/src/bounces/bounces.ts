import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuditService } from '@custos/audit';
import {
  Clock,
  DEFAULT_PAGE_SIZE,
  RequestContext,
  TransactionHost,
  decodeCursor,
  newId,
  systemActor,
  toPage,
  type Page,
} from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { normaliseAddress } from '../addresses';
import { Blacklist } from '../blacklist/blacklist';
import { ConsentErrors } from '../consent.errors';
import { CONSENT_MODULE_OPTIONS, type ConsentModuleOptions } from '../consent.module-definition';
import { Bounce } from './bounce.entity';
import { parseVerp, readDsn, verpKey } from './verp';

/** Odoo's rule: at least this many hard bounces … */
export const BOUNCE_LIMIT = 5;
/** … within this window … */
export const BOUNCE_WINDOW_MS = 13 * 7 * 86_400_000;
/** … spread over more than this. */
export const BOUNCE_SPREAD_MS = 7 * 86_400_000;

/** What a provider (or a DSN) says about a mail to an address. */
export const DELIVERY_OUTCOMES = ['hard_bounce', 'soft_bounce', 'delivered', 'reply'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** A hard bounce as its listeners see it, in the transaction that counted it. */
export interface HardBounce {
  accountId: string;
  /** The normalised address. */
  address: string;
  /** The `Message-ID` of the mail that bounced, when the provider or the DSN names it. */
  messageId: string | null;
}

/** Told of each hard bounce inside its transaction (e.g. to mark the mail's recipient). */
export type HardBounceListener = (bounce: HardBounce, manager: EntityManager) => Promise<void>;

export interface BounceSummary {
  address: string;
  bounces: number;
  firstBounceAt: Date;
  lastBounceAt: Date;
  blacklisted: boolean;
}

/**
 * Hard bounces per normalised address. After each bounce the rule is checked: at least
 * {@link BOUNCE_LIMIT} within {@link BOUNCE_WINDOW_MS} (strictly after now − 13 weeks), the first
 * and the last more than {@link BOUNCE_SPREAD_MS} apart → the address is blacklisted (reason
 * `bounces`). A delivery or a reply resets the count. Soft bounces count nothing.
 */
@Injectable()
export class Bounces {
  private readonly listeners: HardBounceListener[] = [];

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly blacklist: Blacklist,
    private readonly audit: AuditService,
    @Inject(CONSENT_MODULE_OPTIONS) private readonly options: ConsentModuleOptions,
  ) {}

  /** Calls `listener` for every hard bounce from now on, in the bounce's transaction. */
  onHardBounce(listener: HardBounceListener): void {
    this.listeners.push(listener);
  }

  /**
   * Records what happened to a mail to `address` of the account (the mail named by `messageId`
   * when known); returns whether the address is now blacklisted.
   */
  async record(
    accountId: string,
    address: string,
    outcome: DeliveryOutcome,
    at: Date = this.clock.now(),
    messageId: string | null = null,
  ): Promise<{ blacklisted: boolean }> {
    const normal = normaliseAddress(address);
    if (!normal || normal.kind !== 'email') {
      throw ConsentErrors.invalidField('recipient', 'must be an e-mail address');
    }
    return this.transactions.run(async (manager) => {
      switch (outcome) {
        case 'soft_bounce':
          break;
        case 'delivered':
        case 'reply': {
          const { affected } = await manager.delete(Bounce, { accountId, address: normal.value });
          if (affected) {
            await this.audit.record({
              accountId,
              actor: systemActor(accountId),
              action: 'consent.bounces_reset',
              metadata: { outcome, cleared: affected },
            });
          }
          break;
        }
        case 'hard_bounce': {
          await manager.insert(Bounce, {
            id: newId(),
            accountId,
            address: normal.value,
            occurredAt: at,
          });
          const since = new Date(this.clock.now().getTime() - BOUNCE_WINDOW_MS).toISOString();
          const [stats] = await manager.query<
            { count: string | number; first: string | null; last: string | null }[]
          >(
            this.sql(
              'SELECT COUNT(*) AS count, MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM consent_bounce WHERE account_id = $1 AND address = $2 AND occurred_at > $3',
            ),
            [accountId, normal.value, since],
          );
          if (
            Number(stats.count) >= BOUNCE_LIMIT &&
            stats.first !== null &&
            stats.last !== null &&
            Date.parse(stats.last) - Date.parse(stats.first) > BOUNCE_SPREAD_MS
          ) {
            await this.blacklist.addNormal(accountId, normal, 'bounces');
          }
          for (const listener of this.listeners) {
            await listener({ accountId, address: normal.value, messageId }, manager);
          }
          break;
        }
      }
      return { blacklisted: await this.blacklist.has(accountId, normal.value) };
    });
  }

  /**
   * The webhook of the sending provider: checks the body's HMAC signature, reads the account and
   * address from the VERP return path (`recipient`) or from a delivery-status notification (`dsn`).
   */
  async intake(
    rawBody: string,
    signature: string | undefined,
    body: {
      recipient?: string;
      outcome?: DeliveryOutcome;
      occurredAt?: string;
      messageId?: string;
      dsn?: string;
    },
  ): Promise<{ blacklisted: boolean }> {
    const secret = this.options.bounceWebhookSecret;
    if (!secret) {
      throw ConsentErrors.webhookDisabled();
    }
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`,
    );
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw ConsentErrors.badSignature();
    }
    const base = this.options.returnPath ?? 'bounces@localhost';
    const key = verpKey(this.options.secret);
    if (typeof body.dsn === 'string') {
      const dsn = readDsn(body.dsn);
      const target = dsn && parseVerp(base, dsn.returnPath, key);
      if (!dsn || !target) {
        throw ConsentErrors.unreadableBounce('dsn');
      }
      return this.record(target.accountId, target.address, dsn.outcome, undefined, dsn.messageId);
    }
    const target = typeof body.recipient === 'string' ? parseVerp(base, body.recipient, key) : null;
    if (!target) {
      throw ConsentErrors.unreadableBounce('recipient');
    }
    const at = body.occurredAt === undefined ? undefined : new Date(body.occurredAt);
    if (at && Number.isNaN(at.getTime())) {
      throw ConsentErrors.invalidField('occurredAt', 'must be an ISO-8601 time');
    }
    if (!body.outcome || !DELIVERY_OUTCOMES.includes(body.outcome)) {
      throw ConsentErrors.invalidField('outcome', `must be one of ${DELIVERY_OUTCOMES.join(', ')}`);
    }
    return this.record(target.accountId, target.address, body.outcome, at, body.messageId ?? null);
  }

  /** Addresses with bounces counted now, in address order, keyset pages (admins). */
  async list(page: { limit?: number; after?: string }): Promise<Page<BounceSummary>> {
    const accountId = this.context.requireAccountId();
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const after = page.after === undefined ? '' : String(decodeCursor(page.after, 1)[0]);
    const rows = await this.transactions.manager.query<
      { address: string; count: string | number; first: string; last: string; listed: unknown }[]
    >(
      this.sql(
        `SELECT b.address, COUNT(*) AS count, MIN(b.occurred_at) AS first, MAX(b.occurred_at) AS last,
                MAX(CASE WHEN l.id IS NULL THEN 0 ELSE 1 END) AS listed
         FROM consent_bounce b
         LEFT JOIN consent_blacklist l ON l.account_id = b.account_id AND l.value = b.address
         WHERE b.account_id = $1 AND b.address > $2
         GROUP BY b.address ORDER BY b.address LIMIT $3`,
      ),
      [accountId, after, limit + 1],
    );
    return toPage(
      rows,
      limit,
      (r) => [r.address],
      (r) => ({
        address: r.address,
        bounces: Number(r.count),
        firstBounceAt: new Date(r.first),
        lastBounceAt: new Date(r.last),
        blacklisted: Number(r.listed) === 1,
      }),
    );
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}
