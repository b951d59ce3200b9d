import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { In, IsNull } from 'typeorm';
import { Clock } from '../clock';
import { CORE_MODULE_OPTIONS, type CoreModuleOptions } from '../core.module-definition';
import type { Actor } from '../context/actor';
import { isMemberInPerson, isPartnerAdmin } from '../context/actor-capabilities';
import { RequestContext } from '../context/request-context';
import { CustosError } from '../errors/custos-error';
import { TransactionHost } from '../database/transaction-host';
import { newId } from '../ids';
import type { CarriedField } from '../mail/mail-content-policy';
import { MailOutbox } from '../mail/mail-outbox';
import { newestFirstPage, type Page, type PageQueryDto } from '../pagination/pagination';
import { NotificationEmailSetting } from './notification-email-setting.entity';
import { Notification, type NotificationRefs } from './notification.entity';

/** The e-mail copy of a notification, as its kind renders it when the notification is sent. */
export interface NotificationMail {
  subject: string;
  text: string;
  /** Fields whose values it carries (for the mail content policy); usually none. */
  carries?: readonly CarriedField[];
}

/**
 * A kind of notification a feature sends. `render` turns stored notifications into what the
 * reader sees, at read time and under the reader's own access (the current request context), so
 * nothing is shown that the reader may not see now. A notification it leaves out of the map is
 * shown with its common fields only.
 *
 * `mail`, when the kind offers e-mail copies, renders one at write time, once for every recipient
 * who opted in, in the sender's context: so it must hold nothing that depends on who reads it —
 * no record values, nothing the reader's rules could hide — only what every recipient of the kind
 * may know (e.g. "a new submission on the form X"). The reader sees the rest in the app, as above.
 */
export interface NotificationKind<Shown extends object = object> {
  readonly kind: string;
  render(notifications: readonly Notification[]): Promise<ReadonlyMap<string, Shown>>;
  mail?(notification: NotificationToSend): Promise<NotificationMail>;
}

/** Gives the inbox the addresses of recipients who opted in to mail (port; the host's users). */
export interface NotificationAddressBook {
  /** The addresses of those of `userIds` who are active members of the account, by user id. */
  addressesOf(accountId: string, userIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** Whether the actor gets mail for a kind of notification that can be mailed. */
export interface NotificationEmailSettingView {
  kind: string;
  email: boolean;
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

  private addressBook: NotificationAddressBook | undefined;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    @Inject(CORE_MODULE_OPTIONS) private readonly options: CoreModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Registers a kind (at module init); a kind registered twice is a programming error. */
  register(kind: NotificationKind): void {
    if (this.kinds.has(kind.kind)) {
      throw new Error(`The notification kind "${kind.kind}" is registered twice.`);
    }
    this.kinds.set(kind.kind, kind);
  }

  /**
   * Writes one notification per recipient in the current transaction, and, for the recipients
   * who opted in to mail for its kind, one mail each to the outbox in the same transaction (a
   * rolled-back change leaves neither).
   */
  async send(notification: NotificationToSend): Promise<void> {
    const kind = this.kinds.get(notification.kind);
    if (!kind) {
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
    const recipients = [...new Set(notification.recipientUserIds)];
    const createdAt = this.clock.now();
    await this.transactions.manager.insert(
      Notification,
      recipients.map((recipientUserId) => ({
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
    await this.mailOptedIn(kind, notification, recipients);
  }

  /** The kinds that can be mailed, and whether the actor opted in to each. */
  async emailSettings(): Promise<NotificationEmailSettingView[]> {
    const { accountId, userId } = this.personalRecipient();
    const chosen = await this.transactions.manager.findBy(NotificationEmailSetting, {
      accountId,
      userId,
    });
    const on = new Set(chosen.map((setting) => setting.kind));
    return this.mailableKinds().map((kind) => ({ kind, email: on.has(kind) }));
  }

  /** Replaces the kinds the actor gets mail for; an unknown kind (or one without mail) is a 422. */
  async setEmailKinds(kinds: readonly string[]): Promise<NotificationEmailSettingView[]> {
    const { accountId, userId } = this.personalRecipient();
    const mailable = new Set(this.mailableKinds());
    const bad = kinds.findIndex((kind) => !mailable.has(kind));
    if (bad >= 0) {
      throw CustosError.invalidField(
        'core.notification_kind_not_mailable',
        `emailKinds[${bad}]`,
        'is not a kind of notification that can be sent by e-mail',
      );
    }
    await this.transactions.run(async () => {
      const manager = this.transactions.manager;
      await manager.delete(NotificationEmailSetting, { accountId, userId });
      if (kinds.length > 0) {
        await manager.insert(
          NotificationEmailSetting,
          [...new Set(kinds)].map((kind) => ({ accountId, userId, kind })),
        );
      }
    });
    return this.emailSettings();
  }

  /** Kinds with an e-mail copy, when the host gave the inbox recipients' addresses. */
  private mailableKinds(): string[] {
    if (!this.options.notificationMail) {
      return [];
    }
    return [...this.kinds.values()]
      .filter((kind) => kind.mail !== undefined)
      .map((kind) => kind.kind);
  }

  /** Settings are personal: people with an inbox only (not private apps or support sessions). */
  private personalRecipient(): { accountId: string; userId: string } {
    const actor = this.context.requireActor();
    const userId = recipientOf(actor);
    if (userId === null) {
      throw new CustosError(
        'forbidden',
        'core.notification_settings_personal',
        'Only a person signed in to the account has notification settings.',
      );
    }
    return { accountId: actor.accountId, userId };
  }

  /**
   * One mail per opted-in recipient (never one mail to several: recipients do not learn each
   * other's addresses), rendered once by the kind, written to the outbox in this transaction.
   */
  private async mailOptedIn(
    kind: NotificationKind,
    notification: NotificationToSend,
    recipients: readonly string[],
  ): Promise<void> {
    const settings = this.options.notificationMail;
    if (!kind.mail || !settings) {
      return;
    }
    const manager = this.transactions.manager;
    const optedIn = await manager.findBy(NotificationEmailSetting, {
      accountId: notification.accountId,
      kind: kind.kind,
      userId: In(recipients),
    });
    if (optedIn.length === 0) {
      return;
    }
    this.addressBook ??= this.moduleRef.get<NotificationAddressBook>(settings.addressBook, {
      strict: false,
    });
    const addresses = await this.addressBook.addressesOf(
      notification.accountId,
      optedIn.map((setting) => setting.userId),
    );
    if (addresses.size === 0) {
      return;
    }
    const mail = await kind.mail(notification);
    const text = settings.link ? `${mail.text}\n\n${settings.link}\n` : `${mail.text}\n`;
    const outbox = this.moduleRef.get(MailOutbox, { strict: false });
    for (const address of addresses.values()) {
      await outbox.enqueue({
        accountId: notification.accountId,
        kind: `notification.${kind.kind}`,
        to: [address],
        subject: mail.subject,
        text,
        carries: mail.carries,
      });
    }
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
