import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import { AuditService } from '@custos/audit';
import { ConsentGate } from '@custos/consent';
import {
  Clock,
  RequestContext,
  TransactionHost,
  isSuperAdminInPerson,
  keysetPage,
  newId,
  snapshotOf,
  type Page,
} from '@custos/core';
import type { StoredFilterGroup } from '../search';
import type {
  CreateMailingDto,
  MailingDto,
  MailingRecipientDto,
  RecipientQueryDto,
} from './mailing.dto';
import { Mailing, MailingRecipient } from './mailing.entity';
import { recipientTotals } from './mailing-totals';
import { MailingSelection } from './mailing-selection';
import { MailingSender } from './mailing-sender';
import { MailingErrors } from './mailings.errors';

/**
 * Mass mailings (issue 17 item 7): drafts, sending once (a conditional update, so of two
 * concurrent sends one wins and the other is 409), cancelling, and what happened to each
 * recipient. A mailing is seen by whoever created it and by super admins in person; its recipients
 * only as far as the viewer may read the contacts (in SQL).
 */
@Injectable()
export class MailingService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly selection: MailingSelection,
    private readonly sender: MailingSender,
    private readonly gate: ConsentGate,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateMailingDto): Promise<MailingDto> {
    const actor = this.context.requireActor();
    const prepared = await this.selection.prepare(input);
    const mailing: Mailing = {
      id: newId(),
      accountId: actor.accountId,
      name: input.name,
      purposeId: input.purposeId,
      segmentId: input.segmentId ?? null,
      filterGroups: input.segmentId ? [] : prepared.filterGroups,
      subjectTemplate: input.subjectTemplate,
      bodyTemplate: input.bodyTemplate,
      status: 'draft',
      createdBy: actor.userId,
      collectedAfter: null,
      collected: false,
      createdAt: this.clock.now(),
      sentAt: null,
      finishedAt: null,
      sender: null,
      failureReason: null,
    };
    await this.transactions.run(async (manager) => {
      await manager.insert(Mailing, mailing);
      await this.audit.record({
        action: 'mailing.created',
        targetType: 'mailing',
        targetId: mailing.id,
        metadata: {
          after: {
            name: mailing.name,
            purposeId: mailing.purposeId,
            segmentId: mailing.segmentId,
            filters: shapeOf(mailing.filterGroups),
            tokens: prepared.carries.map((property) => property.name),
          },
        },
      });
    });
    return this.present(mailing);
  }

  async get(id: string): Promise<MailingDto> {
    return this.present(await this.find(id));
  }

  async list(page: { limit?: number; after?: string }): Promise<Page<MailingDto>> {
    const found = await keysetPage(this.visible(), 'm.id', (m) => m.id, page);
    return { ...found, results: await Promise.all(found.results.map((m) => this.present(m))) };
  }

  /**
   * Starts sending (202): rights, selection and templates are checked again for the sender, then
   * the draft becomes `sending` by one conditional update — the second of two sends finds no
   * draft (409) — and the job is queued in the same transaction.
   */
  async send(id: string): Promise<MailingDto> {
    const actor = this.context.requireActor();
    const sending = await this.transactions.run(async (manager) => {
      const mailing = await this.find(id);
      if (mailing.status !== 'draft') {
        throw MailingErrors.notDraft(mailing.status);
      }
      await this.selection.prepare(mailing);
      // Links need the public URL: refuse now (503) rather than fail in the job.
      this.gate.publicUrl();
      const now = this.clock.now();
      const sender = {
        ...snapshotOf(actor),
        ...(actor.scopes ? { scopes: [...actor.scopes] } : {}),
      };
      const result = await manager
        .createQueryBuilder()
        .update(Mailing)
        .set({ status: 'sending', sentAt: now, sender })
        .where('id = :id AND account_id = :accountId AND status = :draft', {
          id,
          accountId: actor.accountId,
          draft: 'draft',
        })
        .execute();
      if (result.affected !== 1) {
        throw MailingErrors.notDraft('already sent');
      }
      await this.audit.record({
        action: 'mailing.send_requested',
        targetType: 'mailing',
        targetId: id,
        metadata: { purposeId: mailing.purposeId },
      });
      await this.sender.enqueue({ id, accountId: actor.accountId, sender });
      return { ...mailing, status: 'sending' as const, sentAt: now, sender };
    });
    return this.present(sending);
  }

  /** Stops a draft or a mailing being sent: mails already in the outbox stay, the rest are not written. */
  async cancel(id: string): Promise<MailingDto> {
    const actor = this.context.requireActor();
    const cancelled = await this.transactions.run(async (manager) => {
      const mailing = await this.find(id);
      const now = this.clock.now();
      const result = await manager
        .createQueryBuilder()
        .update(Mailing)
        .set({ status: 'cancelled', finishedAt: now })
        .where('id = :id AND account_id = :accountId AND status IN (:...open)', {
          id,
          accountId: actor.accountId,
          open: ['draft', 'sending'],
        })
        .execute();
      if (result.affected !== 1) {
        throw MailingErrors.notSending(mailing.status);
      }
      await this.audit.record({
        action: 'mailing.cancelled',
        targetType: 'mailing',
        targetId: id,
        metadata: { totals: await recipientTotals(manager, id) },
      });
      return { ...mailing, status: 'cancelled' as const, finishedAt: now };
    });
    return this.present(cancelled);
  }

  /** The recipients of a mailing that the viewer may read (record rules in SQL), keyset by contact. */
  async recipients(id: string, query: RecipientQueryDto): Promise<Page<MailingRecipientDto>> {
    const mailing = await this.find(id);
    const readable = (await this.selection.readableContacts()).select('r.id');
    const builder = this.transactions.manager
      .createQueryBuilder(MailingRecipient, 'mr')
      .where('mr.mailingId = :mailingId', { mailingId: mailing.id })
      .andWhere(`mr.contact_id IN (${readable.getQuery()})`)
      .setParameters(readable.getParameters());
    if (query.status) {
      builder.andWhere('mr.status = :status', { status: query.status });
    }
    const page = await keysetPage(builder, 'mr.contactId', (r) => r.contactId, query);
    return {
      ...page,
      results: page.results.map((r) => ({
        contactId: r.contactId,
        status: r.status,
        reason: r.reason,
        updatedAt: r.updatedAt.toISOString(),
      })),
    };
  }

  private visible(): SelectQueryBuilder<Mailing> {
    const actor = this.context.requireActor();
    const builder = this.transactions.manager
      .createQueryBuilder(Mailing, 'm')
      .where('m.accountId = :accountId', { accountId: actor.accountId });
    if (isSuperAdminInPerson(actor)) {
      return builder;
    }
    return actor.userId === null
      ? builder.andWhere('m.createdBy IS NULL')
      : builder.andWhere('m.createdBy = :userId', { userId: actor.userId });
  }

  private async find(id: string): Promise<Mailing> {
    const mailing = await this.visible().andWhere('m.id = :id', { id }).getOne();
    if (!mailing) {
      throw MailingErrors.notFound();
    }
    return mailing;
  }

  private async present(mailing: Mailing): Promise<MailingDto> {
    return {
      id: mailing.id,
      name: mailing.name,
      purposeId: mailing.purposeId,
      segmentId: mailing.segmentId,
      filters: shapeOf(mailing.filterGroups),
      subjectTemplate: mailing.subjectTemplate,
      bodyTemplate: mailing.bodyTemplate,
      status: mailing.status,
      createdAt: mailing.createdAt.toISOString(),
      sentAt: mailing.sentAt?.toISOString() ?? null,
      finishedAt: mailing.finishedAt?.toISOString() ?? null,
      failureReason: mailing.failureReason,
      totals: await recipientTotals(this.transactions.manager, mailing.id),
    };
  }
}

/** A filter's shape, never its values: which properties, which operators. */
function shapeOf(
  groups: readonly StoredFilterGroup[],
): { propertyName: string; operator: string }[][] {
  return groups.map((group) =>
    group.filters.map((filter) => ({
      propertyName: filter.propertyName,
      operator: filter.operator,
    })),
  );
}
