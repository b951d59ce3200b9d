import {
  NotificationInbox,
  RequestContext,
  TransactionHost,
  type Notification,
  type NotificationKind,
  type NotificationMail,
  type NotificationToSend,
} from '@custos/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In } from 'typeorm';
import { ApprovalRequest } from './approval-request.entity';
import type { ApprovalState, ApprovalView } from './approval.types';

/** Approvers named by the requester hear of a new request. */
export const APPROVAL_REQUESTED = 'approval_requested';
/** The requester hears of each decision: approved, rejected or expired. */
export const APPROVAL_DECIDED = 'approval_decided';

/** What an approval notification shows its reader: references and the request's state now. */
export interface ApprovalNotificationFields {
  approval: {
    id: string;
    kind: string;
    subjectId: string;
    /** The outcome this notification reports (`pending` for a new request). */
    outcome: ApprovalState;
    /** The request's state when the notification is read. */
    state: ApprovalState;
  };
}

/** Stored references: ids and names only, never the message or the reason. */
interface ApprovalRefs {
  approvalId: string;
  approvalKind: string;
  subjectId: string;
  outcome: ApprovalState;
}

const OUTCOME_WORDS: Readonly<Record<ApprovalState, string>> = {
  pending: 'awaits a decision',
  approved: 'was approved',
  rejected: 'was rejected',
  revoked: 'was revoked',
  expired: 'expired',
};

/**
 * Approval notifications in the shared inbox. They refer to the request; the reader sees its
 * kind, subject and state when reading, within their own account. Mail copies say only what
 * happened, never the message, the reason or anything of the subject.
 */
@Injectable()
export class ApprovalNotifications implements OnModuleInit {
  constructor(
    private readonly inbox: NotificationInbox,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  onModuleInit(): void {
    this.inbox.register(this.kind(APPROVAL_REQUESTED, 'An approval request awaits your decision'));
    this.inbox.register(this.kind(APPROVAL_DECIDED, 'Your approval request was decided'));
  }

  /** Tells the approvers the requester named, in the request's transaction. */
  requested(view: ApprovalView): Promise<void> {
    return this.send(APPROVAL_REQUESTED, view, view.notifiedUserIds);
  }

  /** Tells the requester of a decision they did not take themselves (not of a revoke). */
  decided(view: ApprovalView): Promise<void> {
    return view.state === 'revoked'
      ? Promise.resolve()
      : this.send(APPROVAL_DECIDED, view, [view.requesterUserId]);
  }

  private send(kind: string, view: ApprovalView, recipientUserIds: string[]): Promise<void> {
    const refs: ApprovalRefs = {
      approvalId: view.id,
      approvalKind: view.kind,
      subjectId: view.subjectId,
      outcome: view.state,
    };
    return this.inbox.send({
      accountId: view.accountId,
      recipientUserIds,
      kind,
      topicId: view.id,
      refs: { ...refs },
    });
  }

  private kind(name: string, subject: string): NotificationKind<ApprovalNotificationFields> {
    return {
      kind: name,
      render: (notifications) => this.render(notifications),
      mail: (notification) => Promise.resolve(this.mail(subject, notification)),
    };
  }

  private mail(subject: string, notification: NotificationToSend): NotificationMail {
    const refs = notification.refs as unknown as ApprovalRefs;
    return {
      subject,
      text:
        `A request for approval (${refs.approvalKind}) ${OUTCOME_WORDS[refs.outcome]}.\n\n` +
        'See it in your notifications in Custos.',
      carries: [],
    };
  }

  private async render(
    notifications: readonly Notification[],
  ): Promise<ReadonlyMap<string, ApprovalNotificationFields>> {
    const accountId = this.context.requireAccountId();
    const refsOf = (n: Notification) => n.refs as unknown as ApprovalRefs;
    const rows = await this.transactions.manager.findBy(ApprovalRequest, {
      accountId,
      id: In([...new Set(notifications.map((n) => refsOf(n).approvalId))]),
    });
    const stateOf = new Map(rows.map((row) => [row.id, row.state]));
    const shown = new Map<string, ApprovalNotificationFields>();
    for (const notification of notifications) {
      const refs = refsOf(notification);
      const state = stateOf.get(refs.approvalId);
      if (notification.accountId === accountId && state !== undefined) {
        shown.set(notification.id, {
          approval: {
            id: refs.approvalId,
            kind: refs.approvalKind,
            subjectId: refs.subjectId,
            outcome: refs.outcome,
            state,
          },
        });
      }
    }
    return shown;
  }
}
