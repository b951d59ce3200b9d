import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IsNull, LessThan, LessThanOrEqual } from 'typeorm';
import { Clock } from '../clock';
import { RequestContext } from '../context/request-context';
import { insertRows } from '../database/insert-rows';
import { TransactionHost } from '../database/transaction-host';
import { CustosError } from '../errors/custos-error';
import { newId } from '../ids';
import { Jobs } from '../jobs/jobs';
import { newestFirstPage, type Page } from '../pagination/pagination';
import {
  NoSensitiveFieldsMailPolicy,
  type MailContentPolicy,
  type MailToSend,
} from './mail-content-policy';
import { MailOutboxEntry, type MailStatus } from './mail-outbox.entity';
import { MAIL_MODULE_OPTIONS, type MailModuleOptions } from './mail.module-definition';

/** Mails one delivery run takes. */
const BATCH = 20;
/** How long a run holds a mail it took; a run that died is overtaken after this. */
const CLAIM_MS = 5 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_DELIVERY_EVERY_SECONDS = 60;
/** The schedule delivering what fell due (retries, mails whose trigger died with its process). */
export const MAIL_DELIVERY_SCHEDULE = 'mail.deliver';
const KIND = /^[a-z0-9._-]{1,100}$/;
const ADDRESS = /^[^@\s<>",;]+@[^@\s<>",;]+$/;

/**
 * Whether the outbox takes `value` as a recipient or return path: one bare address (no name, no
 * list, no spaces). Senders that take addresses from data ask first, so one bad value is skipped
 * rather than refusing the whole batch.
 */
export function isMailAddress(value: string): boolean {
  return ADDRESS.test(value);
}
/** Extra headers a feature may set: the mailing-list fields (RFC 2369, 8058), nothing that routes. */
const HEADER_NAME = /^List-[A-Za-z-]{1,40}$/;
const HEADER_VALUE = /^[^\r\n]{1,998}$/;

/** Wait before attempt `n + 1` after `n` failed: 1 min, 2, 4, … capped at 2 hours. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(60_000 * 2 ** (failedAttempts - 1), 2 * 3_600_000);
}

/** A code for why a send failed, never a value of the mail or the server's full answer. */
function errorCode(error: unknown): string {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') {
    return `smtp_${responseCode}`;
  }
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code.toLowerCase() : 'error';
}

/** What waits in the outbox (for metrics): mails not sent, and since when the oldest waits. */
export interface MailBacklog {
  pending: number;
  failed: number;
  oldestPendingAt: Date | null;
}

/** The outcome of one {@link MailOutbox.deliverPending} run. */
export interface DeliveryRun {
  sent: number;
  failed: number;
}

/**
 * The transactional outbox of mail. `enqueue` writes the mail in the caller's transaction (a
 * rolled-back change leaves none) after the content policy let it through; `deliverPending`
 * sends what is due. Delivery is at least once: a mail is claimed for a while, sent, then marked
 * sent; a process dying between the send and the mark leaves it claimed, and it is sent again
 * when the claim lapses, with the same Message-ID, so the receiving side can tell it is the same
 * mail. Without a transport every mail stays `pending` (development), listed to super admins.
 *
 * Triggers: after each commit that wrote a mail and at start (latency), and with a transport the
 * `mail.deliver` schedule on {@link Jobs}, once per period for the deployment (retries that fall
 * due, mails whose process died before its trigger ran).
 */
@Injectable()
export class MailOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailOutbox.name);
  private readonly maxAttempts: number;
  private policy: MailContentPolicy | undefined;
  /** The run in progress, and whether another is wanted after it (coalesces triggers). */
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(MAIL_MODULE_OPTIONS) private readonly options: MailModuleOptions,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
    jobs: Jobs,
  ) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (options.transport) {
      jobs.schedule({
        name: MAIL_DELIVERY_SCHEDULE,
        everySeconds: options.deliveryEverySeconds ?? DEFAULT_DELIVERY_EVERY_SECONDS,
        process: async () => {
          const { sent, failed } = await this.deliverPending();
          if (failed > 0) {
            this.logger.warn({ sent, failed }, 'Some mails could not be sent; they are retried');
          }
        },
      });
    }
  }

  /** Whether mail leaves the server (a transport is configured) or stays in the outbox. */
  get delivering(): boolean {
    return this.options.transport !== undefined;
  }

  onApplicationBootstrap(): void {
    this.deliverSoon();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.options.transport?.close();
  }

  /**
   * Writes a mail to the outbox in the current transaction (joining the caller's) and returns its
   * id; delivery starts once that transaction commits. Refused (nothing written) when the content
   * policy refuses it or an address is not one.
   */
  async enqueue(mail: MailToSend): Promise<string> {
    const [id] = await this.enqueueMany([mail]);
    return id;
  }

  /**
   * Writes several mails at once (a mailing's batch), each checked as {@link enqueue} checks it,
   * in multi-row INSERTs ({@link insertRows}); returns their ids in order. One refused mail refuses them all.
   */
  async enqueueMany(mails: readonly MailToSend[]): Promise<string[]> {
    for (const mail of mails) {
      await this.check(mail);
    }
    const now = this.clock.now();
    const domain = this.options.from.split('@')[1];
    const entries = mails.map((mail): MailOutboxEntry => {
      const id = newId();
      return {
        id,
        accountId: mail.accountId,
        kind: mail.kind,
        messageId: `<${id}@${domain}>`,
        from: this.options.from,
        recipients: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? null,
        headers: mail.headers ? { ...mail.headers } : null,
        returnPath: mail.returnPath ?? null,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        claimedUntil: null,
        lastError: null,
        createdAt: now,
        sentAt: null,
      };
    });
    await insertRows(this.transactions.manager, MailOutboxEntry, entries);
    if (entries.length > 0) {
      this.transactions.afterCommit(() => this.deliverSoon());
    }
    return entries.map((entry) => entry.id);
  }

  private async check(mail: MailToSend): Promise<void> {
    if (!KIND.test(mail.kind)) {
      throw new Error(`Invalid mail kind "${mail.kind}"`);
    }
    const invalid = mail.to.findIndex((address) => !isMailAddress(address));
    if (mail.to.length === 0 || invalid >= 0) {
      throw CustosError.invalidField(
        'mail.invalid_recipient',
        `to[${Math.max(invalid, 0)}]`,
        'must be an email address',
      );
    }
    for (const [name, value] of Object.entries(mail.headers ?? {})) {
      if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
        throw CustosError.invalidField(
          'mail.invalid_header',
          `headers.${name}`,
          'must be a List-* header with a one-line value of at most 998 characters',
        );
      }
    }
    if (mail.returnPath !== undefined && !isMailAddress(mail.returnPath)) {
      throw CustosError.invalidField(
        'mail.invalid_return_path',
        'returnPath',
        'must be an email address',
      );
    }
    await this.contentPolicy().assertAllowed(mail);
  }

  /**
   * Sends every due mail, batch by batch, and returns how many were sent and how many failed
   * this time (a failed one is tried again after a backoff, up to `maxAttempts`). Safe to run on
   * several instances at once: each mail is claimed by one run. Without a transport: nothing.
   */
  async deliverPending(): Promise<DeliveryRun> {
    const run: DeliveryRun = { sent: 0, failed: 0 };
    const transport = this.options.transport;
    if (!transport) {
      return run;
    }
    for (;;) {
      const claimed = await this.claimBatch();
      for (const mail of claimed) {
        try {
          await transport.send({
            messageId: mail.messageId,
            from: mail.from,
            to: mail.recipients,
            subject: mail.subject,
            text: mail.text,
            html: mail.html ?? undefined,
            headers: mail.headers ?? undefined,
            returnPath: mail.returnPath ?? undefined,
          });
        } catch (error) {
          await this.markFailed(mail, errorCode(error));
          run.failed += 1;
          continue;
        }
        await this.transactions.manager.update(
          MailOutboxEntry,
          { id: mail.id },
          { status: 'sent', sentAt: this.clock.now(), claimedUntil: null, lastError: null },
        );
        run.sent += 1;
      }
      if (claimed.length < BATCH || this.stopped) {
        return run;
      }
    }
  }

  /** The account's outbox, newest first (super admins; development mode shows every mail here). */
  list(page: { limit?: number; after?: string }): Promise<Page<MailOutboxEntry>> {
    const builder = this.transactions.manager
      .createQueryBuilder(MailOutboxEntry, 'm')
      .where('m.accountId = :accountId', { accountId: this.context.requireAccountId() });
    return newestFirstPage(builder, 'm.id', (m) => m.id, page);
  }

  /** Pending and failed mails of every account, and the oldest pending one's creation. */
  async backlog(): Promise<MailBacklog> {
    const rows: { status: MailStatus; count: string | number; oldest: string | null }[] =
      await this.transactions.manager
        .createQueryBuilder(MailOutboxEntry, 'm')
        .select('m.status', 'status')
        .addSelect('COUNT(*)', 'count')
        .addSelect('MIN(m.createdAt)', 'oldest')
        .where('m.status IN (:...waiting)', { waiting: ['pending', 'failed'] })
        .groupBy('m.status')
        .getRawMany();
    const of = (status: MailStatus) => rows.find((row) => row.status === status);
    const oldest = of('pending')?.oldest;
    return {
      pending: Number(of('pending')?.count ?? 0),
      failed: Number(of('failed')?.count ?? 0),
      oldestPendingAt: oldest ? new Date(oldest) : null,
    };
  }

  /** Starts a delivery run unless one is running (then one more follows it); errors are logged. */
  private deliverSoon(): void {
    if (!this.delivering || this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const { sent, failed } = await this.deliverPending();
          if (failed > 0) {
            this.logger.warn({ sent, failed }, 'Some mails could not be sent; they are retried');
          }
        } catch (error) {
          this.logger.error({ err: error }, 'Mail delivery run failed');
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }

  /** Takes up to a batch of due mails that no live run holds, each by a conditional update. */
  private async claimBatch(): Promise<MailOutboxEntry[]> {
    const now = this.clock.now();
    const due = await this.transactions.manager.find(MailOutboxEntry, {
      where: [
        { status: 'pending', nextAttemptAt: LessThanOrEqual(now), claimedUntil: IsNull() },
        { status: 'pending', nextAttemptAt: LessThanOrEqual(now), claimedUntil: LessThan(now) },
      ],
      order: { nextAttemptAt: 'ASC', id: 'ASC' },
      take: BATCH,
    });
    const until = new Date(now.getTime() + CLAIM_MS);
    const claimed: MailOutboxEntry[] = [];
    for (const mail of due) {
      const result = await this.transactions.manager
        .createQueryBuilder()
        .update(MailOutboxEntry)
        .set({ claimedUntil: until })
        .where('id = :id AND status = :pending', { id: mail.id, pending: 'pending' })
        .andWhere(mail.claimedUntil ? 'claimed_until = :previous' : 'claimed_until IS NULL', {
          previous: mail.claimedUntil?.toISOString(),
        })
        .execute();
      if (result.affected === 1) {
        claimed.push(mail);
      }
    }
    return claimed;
  }

  private async markFailed(mail: MailOutboxEntry, code: string): Promise<void> {
    const attempts = mail.attempts + 1;
    const now = this.clock.now();
    await this.transactions.manager.update(
      MailOutboxEntry,
      { id: mail.id },
      {
        attempts,
        lastError: code,
        claimedUntil: null,
        status: attempts >= this.maxAttempts ? 'failed' : 'pending',
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
      },
    );
  }

  private contentPolicy(): MailContentPolicy {
    if (!this.policy) {
      const token = this.options.contentPolicy;
      // Looked up lazily: the host's policy usually lives in a module that depends on this one.
      this.policy = token
        ? this.moduleRef.get<MailContentPolicy>(token, { strict: false })
        : new NoSensitiveFieldsMailPolicy();
    }
    return this.policy;
  }
}
