import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Clock } from '../clock';
import type { Actor } from '../context/actor';
import { isMemberInPerson, isPartnerAdmin } from '../context/actor-capabilities';
import { RequestContext } from '../context/request-context';
import { CustosError } from '../errors/custos-error';
import { TransactionHost } from '../database/transaction-host';
import { newId } from '../ids';
import { newestFirstPage, type Page, type PageQueryDto } from '../pagination/pagination';
import { Notification, type NotificationRefs } from './notification.entity';

/**
 * A kind of notification a feature sends. `render` turns stored notifications into what the
 * reader sees, at read time and under the reader's own access (the current request context), so
 * nothing is shown that the reader may not see now. A notification it leaves out of the map is
 * shown with its common fields only.
 */
export interface NotificationKind<Shown extends object = object> {
  readonly kind: string;
  render(notifications: readonly Notification[]): Promise<ReadonlyMap<string, Shown>>;
}

/** A notification as its recipient reads it: the common fields plus what its kind renders. */
export type NotificationView = {
  id: string;
  kind: string;
  createdAt: string;
  readAt: string | null;
} & object;

export interface NotificationToSend {
  accountId: string;
  recipientUserIds: readonly string[];
  kind: string;
  topicId?: string;
  refs: NotificationRefs;
}

const REF_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** People have an inbox; private apps, support sessions and jobs do not. */
function recipientOf(actor: Actor): string | null {
  return isMemberInPerson(actor) || isPartnerAdmin(actor) ? actor.userId : null;
}

/**
 * The in-app inbox every feature shares: features register their kinds at start and send within
 * the transaction of the change that causes the notification (a rolled-back change sends none).
 */
@Injectable()
export class NotificationInbox {
  private readonly kinds = new Map<string, NotificationKind>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  /** Registers a kind (at module init); a kind registered twice is a programming error. */
  register(kind: NotificationKind): void {
    if (this.kinds.has(kind.kind)) {
      throw new Error(`The notification kind "${kind.kind}" is registered twice.`);
    }
    this.kinds.set(kind.kind, kind);
  }

  /** Writes one notification per recipient in the current transaction. */
  async send(notification: NotificationToSend): Promise<void> {
    if (!this.kinds.has(notification.kind)) {
      throw new Error(
        `No notification kind "${notification.kind}" is registered: register it at module init.`,
      );
    }
    const bad = Object.entries(notification.refs).find(([, value]) => !REF_VALUE.test(value));
    if (bad) {
      // References only: a value (an email, a name) must never be stored in an inbox.
      throw new Error(`The notification reference "${bad[0]}" is not an id or a short name.`);
    }
    if (notification.recipientUserIds.length === 0) {
      return;
    }
    const createdAt = this.clock.now();
    await this.transactions.manager.insert(
      Notification,
      [...new Set(notification.recipientUserIds)].map((recipientUserId) => ({
        id: newId(),
        accountId: notification.accountId,
        recipientUserId,
        kind: notification.kind,
        topicId: notification.topicId ?? null,
        refs: notification.refs,
        createdAt,
        readAt: null,
      })),
    );
  }

  /** The actor's own notifications of every kind, newest first, each rendered by its kind. */
  async list(page: PageQueryDto): Promise<Page<NotificationView>> {
    const actor = this.context.requireActor();
    const recipient = recipientOf(actor);
    if (recipient === null) {
      return { results: [], paging: {} };
    }
    const builder = this.transactions.manager
      .createQueryBuilder(Notification, 'n')
      .where('n.accountId = :accountId', { accountId: actor.accountId })
      .andWhere('n.recipientUserId = :recipient', { recipient });
    const stored = await newestFirstPage(builder, 'n.id', (n) => n.id, page);
    const byKind = new Map<string, Notification[]>();
    for (const notification of stored.results) {
      byKind.set(notification.kind, [...(byKind.get(notification.kind) ?? []), notification]);
    }
    const shown = new Map<string, object>();
    for (const [kind, notifications] of byKind) {
      const rendered = await this.kinds.get(kind)?.render(notifications);
      for (const [id, view] of rendered ?? []) {
        shown.set(id, view);
      }
    }
    return {
      results: stored.results.map((notification) => ({
        id: notification.id,
        kind: notification.kind,
        createdAt: notification.createdAt.toISOString(),
        readAt: notification.readAt?.toISOString() ?? null,
        ...shown.get(notification.id),
      })),
      paging: stored.paging,
    };
  }

  /** Marks one of the actor's notifications read (again is harmless); anyone else's is 404. */
  async markRead(id: string): Promise<void> {
    const actor = this.context.requireActor();
    const recipient = recipientOf(actor);
    const manager = this.transactions.manager;
    const found =
      recipient !== null &&
      (await manager.existsBy(Notification, {
        accountId: actor.accountId,
        recipientUserId: recipient,
        id,
      }));
    if (!found) {
      throw CustosError.notFound('core.notification_not_found', 'The notification');
    }
    await manager.update(
      Notification,
      { accountId: actor.accountId, id, readAt: IsNull() },
      { readAt: this.clock.now() },
    );
  }

  /** Removes every notification about a topic (its subject is gone), in the current transaction. */
  async forgetTopic(accountId: string, kind: string, topicId: string): Promise<void> {
    await this.transactions.manager.delete(Notification, { accountId, kind, topicId });
  }
}
