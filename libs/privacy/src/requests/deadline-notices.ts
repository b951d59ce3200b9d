import {
  Clock,
  Jobs,
  NotificationInbox,
  RequestContext,
  TransactionHost,
  systemActor,
  type Notification,
  type NotificationKind,
  type NotificationMail,
  type NotificationToSend,
} from '@custos/core';
import { PrivilegeHolders } from '@custos/identity';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DEFAULT_DUE_SOON_DAYS,
  PRIVACY_MODULE_OPTIONS,
  type PrivacyModuleOptions,
} from '../privacy.module-definition';
import { PRIVACY_ASSIGNEES, type PrivacyAssignees } from './privacy-assignees';
import { addDays, calendarDate, deadlineFlag } from './privacy-deadline';
import { PrivacyRequest } from './privacy-request.entity';
import { RUNNING_STATUSES } from './privacy-request.types';
import { PrivacySettingsService } from '../settings/privacy-settings';

/** Name of the schedule that tells handlers of requests that became due soon or overdue. */
export const DEADLINE_NOTICE_SCHEDULE = 'privacy.deadline-notices';
/** The notification kind: refs `requestId` and `flag` (`due_soon`, `overdue`), nothing else. */
export const PRIVACY_DEADLINE_NOTIFICATION = 'privacy_request_deadline';

interface DeadlineRefs {
  requestId: string;
  flag: 'due_soon' | 'overdue';
}

/** What the reader sees: the request's id, the flag notified, and the due date now. */
export interface DeadlineNotificationFields {
  privacyRequest: { id: string; flag: 'due_soon' | 'overdue'; dueOn: string; status: string };
}

const WORDS: Record<DeadlineRefs['flag'], string> = {
  due_soon: 'is due soon',
  overdue: 'is overdue',
};

/**
 * Tells a request's assignee (or, unassigned, every member who may handle requests) when it
 * becomes due soon and when it becomes overdue: once per change of its flag, not at every run —
 * the flag last told is kept on the request (`deadline_notice`), set by a conditional UPDATE so
 * concurrent runs tell once. A request whose flag clears (extended) is told again when it comes
 * back. Notifications and their mails carry the request id and the flag only.
 */
@Injectable()
export class DeadlineNotices implements OnModuleInit {
  private readonly dueSoonDays: number;

  constructor(
    private readonly jobs: Jobs,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly inbox: NotificationInbox,
    private readonly holders: PrivilegeHolders,
    @Inject(PRIVACY_ASSIGNEES) private readonly assignees: PrivacyAssignees,
    @Inject(PRIVACY_MODULE_OPTIONS) private readonly options: PrivacyModuleOptions,
    private readonly settings: PrivacySettingsService,
  ) {
    this.dueSoonDays = options.dueSoonDays ?? DEFAULT_DUE_SOON_DAYS;
  }

  onModuleInit(): void {
    this.inbox.register(this.kind());
    const everySeconds = this.options.deadlineNoticeEverySeconds ?? 3600;
    if (everySeconds > 0) {
      this.jobs.schedule({
        name: DEADLINE_NOTICE_SCHEDULE,
        everySeconds,
        process: async () => {
          await this.notifyChanges();
        },
      });
    }
  }

  /** One run: every running request whose flag differs from the one last told; returns how many were told. */
  async notifyChanges(): Promise<number> {
    const now = this.clock.now();
    // Every time zone's today is at most a day after UTC's: the exact flag is computed per account.
    const rows = await this.transactions.manager
      .createQueryBuilder(PrivacyRequest, 'r')
      .where('r.status IN (:...running)', { running: RUNNING_STATUSES })
      .andWhere('(r.due_on <= :soon OR r.deadline_notice IS NOT NULL)', {
        soon: addDays(calendarDate(now), this.dueSoonDays + 1),
      })
      .getMany();
    const todays = new Map<string, string>();
    let told = 0;
    for (const row of rows) {
      let today = todays.get(row.accountId);
      if (today === undefined) {
        const { timeZone } = await this.settings.calendarOf(row.accountId);
        today = calendarDate(now, timeZone);
        todays.set(row.accountId, today);
      }
      const flag = deadlineFlag(row.dueOn, today, this.dueSoonDays);
      if (flag === row.deadlineNotice) {
        continue;
      }
      const changed = await this.context.runAs(systemActor(row.accountId), () =>
        this.transactions.run(async (manager) => {
          const update = manager
            .createQueryBuilder()
            .update(PrivacyRequest)
            .set({ deadlineNotice: flag })
            .where('account_id = :accountId AND id = :id', {
              accountId: row.accountId,
              id: row.id,
            });
          const result = await (
            row.deadlineNotice === null
              ? update.andWhere('deadline_notice IS NULL')
              : update.andWhere('deadline_notice = :last', { last: row.deadlineNotice })
          ).execute();
          if (result.affected !== 1 || flag === null) {
            return false;
          }
          await this.inbox.send({
            accountId: row.accountId,
            recipientUserIds: await this.recipients(row),
            kind: PRIVACY_DEADLINE_NOTIFICATION,
            topicId: row.id,
            refs: { requestId: row.id, flag },
          });
          return true;
        }),
      );
      told += changed ? 1 : 0;
    }
    return told;
  }

  private async recipients(row: PrivacyRequest): Promise<string[]> {
    if (row.assigneeUserId) {
      return [row.assigneeUserId];
    }
    const holders = await this.holders.userIds(row.accountId, 'manage_privacy_requests');
    const handlers: string[] = [];
    for (const userId of holders) {
      // Partner admins never handle requests, whatever their roles say.
      if (await this.assignees.mayHandle(row.accountId, userId)) {
        handlers.push(userId);
      }
    }
    return handlers;
  }

  private kind(): NotificationKind<DeadlineNotificationFields> {
    return {
      kind: PRIVACY_DEADLINE_NOTIFICATION,
      render: (notifications) => this.render(notifications),
      mail: (notification) => Promise.resolve(this.mail(notification)),
    };
  }

  private mail(notification: NotificationToSend): NotificationMail {
    const refs = notification.refs as unknown as DeadlineRefs;
    return {
      subject: `A privacy request ${WORDS[refs.flag]}`,
      text: `The privacy request ${refs.requestId} ${WORDS[refs.flag]}.\n\nSee it in Custos.`,
      carries: [],
    };
  }

  private async render(
    notifications: readonly Notification[],
  ): Promise<ReadonlyMap<string, DeadlineNotificationFields>> {
    const accountId = this.context.requireAccountId();
    const refsOf = (n: Notification) => n.refs as unknown as DeadlineRefs;
    const ids = [...new Set(notifications.map((n) => refsOf(n).requestId))];
    const rows =
      ids.length === 0
        ? []
        : await this.transactions.manager
            .createQueryBuilder(PrivacyRequest, 'r')
            .where('r.account_id = :accountId AND r.id IN (:...ids)', { accountId, ids })
            .getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const shown = new Map<string, DeadlineNotificationFields>();
    for (const notification of notifications) {
      const refs = refsOf(notification);
      const row = byId.get(refs.requestId);
      if (row) {
        shown.set(notification.id, {
          privacyRequest: { id: row.id, flag: refs.flag, dueOn: row.dueOn, status: row.status },
        });
      }
    }
    return shown;
  }
}
