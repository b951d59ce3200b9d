import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  BlacklistEntry,
  ConsentGate,
  normaliseAddress,
  type ContactDecision,
} from '@custos/consent';
import {
  Clock,
  CustosError,
  Jobs,
  insertRows,
  isMailAddress,
  updateRows,
  MailOutbox,
  PRIVILEGE_RESOLVER,
  RequestContext,
  TransactionHost,
  actorFromSnapshot,
  systemActor,
  type JobQueue,
  type JobView,
  type MailToSend,
  type PrivilegeResolver,
  type RunningJob,
} from '@custos/core';
import { fromRow, recordColumns, type StoredRecord } from '../records';
import { matchesSensitiveFilters } from '../search';
import { Mailing, MailingRecipient, type SkipReason } from './mailing.entity';
import { MailingSelection, type PreparedSelection } from './mailing-selection';
import { render } from './mailing-templates';
import { recipientTotals } from './mailing-totals';
import { MAILING_FAILURES, MailingErrors } from './mailings.errors';

/** The queue of mailings being sent. */
export const MAILING_QUEUE = 'crm.mailing_send';
/** Contacts per batch: one transaction collects or writes this many. */
export const MAILING_BATCH = 2000;
const ATTEMPTS = 5;

interface MailingJobData {
  mailingId: string;
}

/** A contact of a batch with what the send decides from: its record and whether the audience has it. */
interface BatchContact {
  record: StoredRecord;
  email: string | null;
  reachable: boolean;
}

/**
 * The job that sends a mailing, as whoever sent it (their record rules, in SQL): first it walks
 * the selection in keyset batches into per-recipient rows (`queued`, or `skipped` with why), then
 * writes the queued ones to the outbox batch by batch — consent, record rules and the blacklist
 * checked again at that moment, each batch's mails and statuses in one transaction. A crash
 * resumes where the last committed batch ended (the cursor and the statuses say where); a
 * cancelled mailing stops at the next batch (the batch takes the mailing's row first).
 */
@Injectable()
export class MailingSender implements OnApplicationBootstrap {
  private readonly queue: JobQueue<MailingJobData>;

  constructor(
    jobs: Jobs,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly selection: MailingSelection,
    private readonly gate: ConsentGate,
    private readonly moduleRef: ModuleRef,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(PRIVILEGE_RESOLVER) private readonly privileges: PrivilegeResolver,
  ) {
    this.queue = jobs.createQueue<MailingJobData>({
      name: MAILING_QUEUE,
      attempts: ATTEMPTS,
      process: (job) => this.run(job),
    });
  }

  /** Queues the job of a mailing as its sender (in the caller's transaction, if any). */
  async enqueue(mailing: Pick<Mailing, 'id' | 'accountId' | 'sender'>): Promise<JobView | null> {
    if (!mailing.sender) {
      throw new Error(`Mailing ${mailing.id} has no sender to send as.`);
    }
    return this.queue.enqueue(
      { mailingId: mailing.id },
      {
        accountId: mailing.accountId,
        actor: actorFromSnapshot(mailing.sender, mailing.accountId, mailing.sender.scopes),
        key: `mailing:${mailing.id}`,
      },
    );
  }

  /**
   * Gives every mailing being sent its job again (a job lost: the process died before it was
   * written, or the queue lost it); the key makes this a no-op for a mailing whose job is kept.
   * A mailing whose kept job is over (dead, completed or cancelled without ending it) fails as
   * `crm.mailing_interrupted`. Resuming is safe: sent recipients are never written again.
   */
  async onApplicationBootstrap(): Promise<void> {
    const unfinished = await this.transactions.manager.find(Mailing, {
      where: { status: 'sending' },
      order: { id: 'ASC' },
    });
    for (const mailing of unfinished) {
      // Whatever the sweep changes, the system of the mailing's account does.
      await this.context.runAs(systemActor(mailing.accountId), async () => {
        const job = mailing.sender ? await this.enqueue(mailing) : null;
        if (!mailing.sender || (job && job.state !== 'waiting' && job.state !== 'active')) {
          await this.fail(mailing, MAILING_FAILURES.interrupted);
        }
      });
    }
  }

  private async run(job: RunningJob<MailingJobData>): Promise<void> {
    const mailing = await this.transactions.manager.findOneBy(Mailing, {
      id: job.data.mailingId,
      accountId: this.context.requireAccountId(),
    });
    if (!mailing || mailing.status !== 'sending') {
      return;
    }
    try {
      await this.send(mailing, job);
    } catch (error) {
      if (job.signal.aborted) {
        throw error;
      }
      // A decision (the sender's rights, a check that now refuses) is repeated by a retry: the
      // mailing fails at once. Anything else is retried until the attempts run out.
      if (error instanceof CustosError && error.kind !== 'unavailable') {
        await this.fail(mailing, error.code);
      } else if (job.attempt >= ATTEMPTS) {
        await this.fail(mailing, MAILING_FAILURES.attemptsExhausted);
      }
      throw error;
    }
  }

  private async send(mailing: Mailing, job: RunningJob<MailingJobData>): Promise<void> {
    if (!(await this.privileges.hasPrivilege(this.context.requireActor(), 'send_mailings'))) {
      throw MailingErrors.senderLostPrivilege();
    }
    const prepared = await this.selection.prepare(mailing);
    while (!mailing.collected) {
      // Requests and the job's lease renewal between batches (SQLite answers synchronously).
      await nextTurn();
      if (job.signal.aborted || !(await this.collectBatch(mailing, prepared))) {
        return;
      }
    }
    // Where this attempt's last batch ended: the next batch's scan of queued rows starts there,
    // not over the rows earlier batches replaced (on PostgreSQL dead index entries until vacuum).
    let after: string | null = null;
    for (;;) {
      await nextTurn();
      if (job.signal.aborted) {
        return;
      }
      const last = await this.sendBatch(mailing, prepared, after);
      if (last === null) {
        return;
      }
      if (last === undefined) {
        break;
      }
      after = last;
    }
    await this.finish(mailing, 'sent');
  }

  /** Ends a mailing being sent as failed, with the reason code (never data), audited. */
  private fail(mailing: Mailing, reason: string): Promise<void> {
    return this.finish(mailing, 'failed', reason);
  }

  /** `sending` → `sent` or `failed`, audited with the totals; nothing when it ended meanwhile. */
  private finish(mailing: Mailing, status: 'sent' | 'failed', reason?: string): Promise<void> {
    return this.transactions.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Mailing)
        .set({ status, finishedAt: this.clock.now(), failureReason: reason ?? null })
        .where('id = :id AND status = :sending', { id: mailing.id, sending: 'sending' })
        .execute();
      if (result.affected === 1) {
        await this.audit.record({
          action: status === 'sent' ? 'mailing.sent' : 'mailing.failed',
          targetType: 'mailing',
          targetId: mailing.id,
          metadata: {
            ...(reason ? { reason } : {}),
            totals: await recipientTotals(manager, mailing.id),
          },
        });
      }
    });
  }

  /**
   * Takes the next batch of the selection into the recipient rows, all `queued`, with the cursor,
   * in one transaction: who is selected, nothing more (consent, the blacklist and the address
   * are decided when the mail is written). False when the mailing is no longer being sent.
   */
  private collectBatch(mailing: Mailing, prepared: PreparedSelection): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      if (!(await this.holdSending(manager, mailing.id))) {
        return false;
      }
      // Sensitive filters are matched on opened values: only then are the records read.
      const opened = prepared.filterGroups.length > 0 && prepared.access.sensitive !== null;
      const builder = opened
        ? prepared.query().select(recordColumns(prepared.schema))
        : prepared.query().select('r.id', 'id');
      builder.orderBy('r.id', 'ASC').limit(MAILING_BATCH);
      if (mailing.collectedAfter) {
        builder.andWhere('r.id > :collectedAfter', { collectedAfter: mailing.collectedAfter });
      }
      const rows = await builder.getRawMany<Record<string, unknown>>();
      const selected = opened
        ? (await this.contactsOf(prepared, rows)).map((contact) => contact.record.id)
        : rows.map((row) => row.id as string);
      const now = this.clock.now();
      await insertRows(
        manager,
        MailingRecipient,
        selected.map((contactId): MailingRecipient => ({
          mailingId: mailing.id,
          contactId,
          accountId: mailing.accountId,
          status: 'queued',
          reason: null,
          mailId: null,
          updatedAt: now,
        })),
      );
      mailing.collectedAfter =
        (rows[rows.length - 1]?.id as string | undefined) ?? mailing.collectedAfter;
      mailing.collected = rows.length < MAILING_BATCH;
      await manager.update(
        Mailing,
        { id: mailing.id },
        { collectedAfter: mailing.collectedAfter, collected: mailing.collected },
      );
      return true;
    });
  }

  /**
   * Writes the next batch of queued recipients to the outbox, deciding at this moment: a contact
   * the sender may no longer read is skipped `restricted`, consent as it is now (an unsubscribe
   * since the list was built counts), and the blacklist of a `marketing` mail; each mail carries
   * its one-click unsubscribe headers and VERP return path. The batch's rows take their
   * outcomes in one statement, in the batch's transaction. Returns the last contact id it ended
   * at (undefined: none left), null when the mailing is no longer being sent.
   */
  private sendBatch(
    mailing: Mailing,
    prepared: PreparedSelection,
    after: string | null,
  ): Promise<string | null | undefined> {
    return this.transactions.run(async (manager) => {
      if (!(await this.holdSending(manager, mailing.id))) {
        return null;
      }
      const queued = manager
        .createQueryBuilder(MailingRecipient, 'mr')
        .select('mr.contactId', 'contactId')
        .where('mr.mailingId = :mailingId AND mr.status = :queued', {
          mailingId: mailing.id,
          queued: 'queued',
        })
        .orderBy('mr.contactId', 'ASC')
        .limit(MAILING_BATCH);
      if (after !== null) {
        queued.andWhere('mr.contactId > :after', { after });
      }
      const ids = (await queued.getRawMany<{ contactId: string }>()).map((r) => r.contactId);
      if (ids.length === 0) {
        return undefined;
      }
      const rows = await this.batchQuery(prepared)
        .andWhere(prepared.dialect.anyOf('r.id', 'mailingBatch'), {
          mailingBatch: prepared.dialect.list(ids),
        })
        .getRawMany<Record<string, unknown>>();
      const contacts = new Map(
        (await this.contactsOf(prepared, rows)).map((c) => [c.record.id, c]),
      );
      const addresses = [...contacts.values()].flatMap((c) => (c.email ? [c.email] : []));
      const blocked = new Set(
        await this.gate.blockedRecipients(mailing.accountId, addresses, 'marketing'),
      );
      const now = this.clock.now();
      const settled: MailingRecipient[] = [];
      const mails: MailToSend[] = [];
      const mailed: MailingRecipient[] = [];
      for (const contactId of ids) {
        const contact = contacts.get(contactId);
        const row: MailingRecipient = {
          mailingId: mailing.id,
          contactId,
          accountId: mailing.accountId,
          status: 'sent',
          reason: null,
          mailId: null,
          updatedAt: now,
        };
        const reason: SkipReason | null = !contact
          ? 'restricted'
          : contact.email && blocked.has(contact.email)
            ? 'blacklisted'
            : await this.skipReason(mailing, contact);
        if (reason !== null || !contact?.email) {
          settled.push({ ...row, status: 'skipped', reason: reason ?? 'no_address' });
        } else {
          mails.push(this.mailTo(mailing, prepared, contact.record, contact.email));
          mailed.push(row);
        }
      }
      // The host's outbox (MailModule.forRoot), found at run time as the consent lib finds it.
      const mailIds = await this.moduleRef.get(MailOutbox, { strict: false }).enqueueMany(mails);
      mailed.forEach((row, i) => settled.push({ ...row, mailId: mailIds[i] }));
      await updateRows(manager, MailingRecipient, settled, [
        'status',
        'reason',
        'mailId',
        'updatedAt',
      ]);
      return ids[ids.length - 1];
    });
  }

  private mailTo(
    mailing: Mailing,
    prepared: PreparedSelection,
    record: StoredRecord,
    email: string,
  ): MailToSend {
    const url = this.gate.unsubscribeUrl(mailing.accountId, record.id, mailing.purposeId, 'email');
    return {
      accountId: mailing.accountId,
      kind: 'marketing',
      to: [email],
      subject: render(mailing.subjectTemplate, record, true),
      text: `${render(mailing.bodyTemplate, record, false)}\n\n--\nUnsubscribe: ${url}\n`,
      headers: { ...this.gate.unsubscribeHeaders(url) },
      returnPath: this.gate.returnPath(mailing.accountId, email),
      carries: prepared.carries,
    };
  }

  /** Why a contact gets nothing (null: it is in the audience with an address). */
  private async skipReason(mailing: Mailing, contact: BatchContact): Promise<SkipReason | null> {
    if (!contact.email) {
      return 'no_address';
    }
    if (contact.reachable) {
      return null;
    }
    const { reason } = await this.gate.mayContact({
      accountId: mailing.accountId,
      contactId: contact.record.id,
      purposeId: mailing.purposeId,
      channel: 'email',
      address: contact.email,
    });
    return this.reasonOf(mailing.accountId, reason, contact.email);
  }

  private async reasonOf(
    accountId: string,
    decision: ContactDecision,
    email: string,
  ): Promise<SkipReason> {
    switch (decision) {
      case 'withdrawn':
        return 'opted_out';
      case 'blacklisted': {
        const entry = await this.transactions.manager.findOneBy(BlacklistEntry, {
          accountId,
          value: normaliseAddress(email)?.value ?? '',
        });
        return entry?.reason === 'bounces' ? 'bounced' : 'blacklisted';
      }
      case 'consented':
      case 'legal_basis':
      case 'no_consent':
      case 'pending_confirmation':
      case 'not_yet_effective':
      case 'expired':
      case 'channel_not_offered':
        return 'no_consent';
    }
  }

  /** The selection with each contact's columns and whether the audience (consent, now) has it. */
  private batchQuery(prepared: PreparedSelection) {
    return prepared
      .query()
      .select(recordColumns(prepared.schema))
      .addSelect(`CASE WHEN ${prepared.audience.sql} THEN 1 ELSE 0 END`, 'mailing_reachable')
      .setParameters(prepared.audience.parameters);
  }

  private async contactsOf(
    prepared: PreparedSelection,
    rows: Record<string, unknown>[],
  ): Promise<BatchContact[]> {
    // Sensitive filters open values: their subjects' keys first.
    if (prepared.filterGroups.length > 0) {
      await prepared.access.sensitive?.loadSubjects(rows.map((row) => row.id as string));
    }
    return rows
      .map((row) => ({ row, record: fromRow(prepared.schema, row) }))
      .filter(({ record }) =>
        matchesSensitiveFilters(record, prepared.filterGroups, prepared.access.sensitive),
      )
      .map(({ row, record }) => {
        const email = typeof record.values.email === 'string' ? record.values.email.trim() : '';
        return {
          record,
          // What the outbox would refuse is no address: skipped, not the failure of the batch.
          email: isMailAddress(email) ? email : null,
          reachable: Number(row.mailing_reachable) === 1,
        };
      });
  }

  /**
   * Takes the mailing's row for the batch (on PostgreSQL a row lock until the batch commits, so a
   * cancel waits for it or it sees the cancel); false when the mailing is no longer being sent.
   */
  private async holdSending(manager: EntityManager, mailingId: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Mailing)
      .set({ status: 'sending' })
      .where('id = :id AND status = :sending', { id: mailingId, sending: 'sending' })
      .execute();
    return result.affected === 1;
  }
}
