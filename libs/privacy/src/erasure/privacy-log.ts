import {
  Clock,
  RequestContext,
  TransactionHost,
  newId,
  newestFirstPage,
  type Page,
} from '@custos/core';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PrivacyLogEntry } from './privacy-log-entry.entity';

/** An entry as written: the subject masked, the detail counts and names of sources. */
export interface PrivacyLogInput {
  accountId: string;
  requestId: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface PrivacyLogView {
  id: string;
  requestId: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  actorId: string;
  createdAt: Date;
}

/**
 * The privacy log (product §7): what was done for each request, with the subject masked and
 * never a value that was removed. Written in the transaction of what it records.
 */
@Injectable()
export class PrivacyLog {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  async write(manager: EntityManager, input: PrivacyLogInput): Promise<void> {
    await manager.insert(PrivacyLogEntry, {
      id: newId(),
      accountId: input.accountId,
      requestId: input.requestId,
      action: input.action,
      subject: input.subject,
      detail: JSON.stringify(input.detail),
      actorId: this.context.actor?.id ?? 'system',
      createdAt: this.clock.now(),
    });
  }

  /** The account's entries, newest first; of one request when `requestId` is given. */
  async list(
    filter: { requestId?: string },
    page: { limit?: number; after?: string },
  ): Promise<Page<PrivacyLogView>> {
    const builder = this.transactions.manager
      .createQueryBuilder(PrivacyLogEntry, 'l')
      .where('l.account_id = :accountId', { accountId: this.context.requireAccountId() });
    if (filter.requestId) {
      builder.andWhere('l.request_id = :requestId', { requestId: filter.requestId });
    }
    const result = await newestFirstPage(builder, 'l.id', (row) => row.id, page);
    return {
      ...result,
      results: result.results.map((row) => ({
        id: row.id,
        requestId: row.requestId,
        action: row.action,
        subject: row.subject,
        detail: JSON.parse(row.detail) as Record<string, unknown>,
        actorId: row.actorId,
        createdAt: row.createdAt,
      })),
    };
  }
}
