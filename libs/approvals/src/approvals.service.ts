import { AuditService } from '@custos/audit';
import {
  Clock,
  isMemberInPerson,
  isSystem,
  isUniqueViolation,
  newId,
  RequestContext,
  systemActor,
  TransactionHost,
  type Actor,
} from '@custos/core';
import { Injectable, Logger } from '@nestjs/common';
import { ApprovalNotifications } from './approval-notifications';
import { ApprovalRequest } from './approval-request.entity';
import type {
  ApprovalKind,
  ApprovalRequestInput,
  ApprovalState,
  ApprovalView,
} from './approval.types';
import { ApprovalErrors } from './approvals.errors';

const KIND_NAME = /^[a-z][a-z0-9_]{0,31}$/;
/** A reference, never a value: it travels in notification references and audit events. */
const SUBJECT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_TEXT = 1000;
/** Requests expired per query of `expireDue` (each in its own transaction). */
const EXPIRY_BATCH = 100;
const RETURNED = 'RETURNING id';
/** The decision of an approver other than the requester, while pending and unexpired. */
const DECIDE_SQL = `UPDATE custos_approval_request SET state = $1, decided_by_user_id = $2, decided_at = $3, reason = $4
  WHERE account_id = $5 AND id = $6 AND state = 'pending' AND expires_at > $3 AND requester_user_id <> $2 ${RETURNED}`;
/** The requester withdraws it, while pending and unexpired. */
const REVOKE_SQL = `UPDATE custos_approval_request SET state = 'revoked', decided_by_user_id = $1, decided_at = $2
  WHERE account_id = $3 AND id = $4 AND state = 'pending' AND expires_at > $2 AND requester_user_id = $1 ${RETURNED}`;
/** Time is up: the mirror image of the two above, so only one of them can ever match. */
const EXPIRE_SQL = `UPDATE custos_approval_request SET state = 'expired', decided_at = $1
  WHERE account_id = $2 AND id = $3 AND state = 'pending' AND expires_at <= $1 ${RETURNED}`;

function toView(row: ApprovalRequest): ApprovalView {
  return {
    id: row.id,
    accountId: row.accountId,
    kind: row.kind,
    subjectId: row.subjectId,
    requesterUserId: row.requesterUserId,
    state: row.state,
    notifiedUserIds: [...row.notifiedUserIds],
    message: row.message,
    decidedByUserId: row.decidedByUserId,
    decidedAt: row.decidedAt,
    reason: row.reason,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

/** The text trimmed, when it then has 1 to 1000 characters; `null` otherwise. */
function trimmedText(value: unknown): string | null {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed.length > 0 && trimmed.length <= MAX_TEXT ? trimmed : null;
}

/**
 * Approval requests of every registered kind: a person requests, another eligible person
 * approves or rejects, the requester may revoke, and time expires what stays pending. Each
 * request leaves `pending` exactly once — by one conditional `UPDATE … WHERE state = 'pending'`
 * whose affected rows say who won — and in that same transaction the kind's `settled` runs, the
 * requester is notified and one audit event is written.
 */
@Injectable()
export class Approvals {
  private readonly logger = new Logger(Approvals.name);
  private readonly kinds = new Map<string, ApprovalKind>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly notifications: ApprovalNotifications,
  ) {}

  /** Registers a kind (at module init); a kind registered twice, or badly named, is a programming error. */
  register(kind: ApprovalKind): void {
    if (!KIND_NAME.test(kind.name)) {
      throw new Error(
        `The approval kind name "${kind.name}" must be lower-case letters, digits and _ (at most 32, starting with a letter).`,
      );
    }
    if (this.kinds.has(kind.name)) {
      throw new Error(`The approval kind "${kind.name}" is registered twice.`);
    }
    this.kinds.set(kind.name, kind);
  }

  /**
   * Whether `actor` may request (and decide) approvals at all: a member of the account in person,
   * never an API key, a partner or support session or a background job (403 `approvals.person_only`).
   */
  mayRequest(actor: Actor): actor is Actor & { readonly userId: string } {
    return isMemberInPerson(actor);
  }

  /**
   * Requests approval of `subjectId` for the current actor (a member in person). Every user in
   * `notify` must be an eligible approver other than the requester (422 naming `notify[i]`);
   * when the kind has no such approver at all the request is refused (409 `approvals.no_approver`)
   * rather than left hanging. One pending request per subject (409 `approvals.already_pending`).
   * Joins the caller's transaction.
   */
  async request(input: ApprovalRequestInput): Promise<ApprovalView> {
    const actor = this.person();
    const kind = this.kindOf(input.kind);
    const requester = { accountId: actor.accountId, userId: actor.userId };
    if (input.onBehalfOf !== undefined) {
      if (!kind.externalRequesters) {
        throw new Error(
          `The approval kind "${kind.name}" does not take requests on behalf of outsiders (externalRequesters).`,
        );
      }
      if (typeof input.onBehalfOf !== 'string' || !SUBJECT_ID.test(input.onBehalfOf)) {
        throw ApprovalErrors.invalidField('onBehalfOf', 'must be a user id');
      }
      if (!(await kind.mayDecide(actor))) {
        throw ApprovalErrors.notAnApprover();
      }
      requester.userId = input.onBehalfOf;
    }
    if (typeof input.subjectId !== 'string' || !SUBJECT_ID.test(input.subjectId)) {
      throw ApprovalErrors.invalidField(
        'subjectId',
        'must be an id: 1 to 64 letters, digits, _ - . or :',
      );
    }
    const message =
      input.message === undefined || input.message === null ? null : trimmedText(input.message);
    if (message === null && input.message !== undefined && input.message !== null) {
      throw ApprovalErrors.invalidField('message', `must be 1 to ${MAX_TEXT} characters`);
    }
    const now = this.clock.now();
    if (!(input.expiresAt instanceof Date) || !(input.expiresAt.getTime() > now.getTime())) {
      throw ApprovalErrors.invalidField('expiresAt', 'must be a time in the future');
    }
    if (!Array.isArray(input.notify) || input.notify.length === 0) {
      throw ApprovalErrors.invalidField('notify', 'name at least one approver to notify');
    }
    return this.transactions.run(async (manager) => {
      const eligible = new Set(await kind.approvers(requester.accountId));
      eligible.delete(requester.userId);
      if (eligible.size === 0) {
        throw ApprovalErrors.noApprover();
      }
      const bad = input.notify.findIndex((userId) => !eligible.has(userId));
      if (bad >= 0) {
        throw ApprovalErrors.notAnEligibleApprover(`notify[${bad}]`);
      }
      const row = manager.create(ApprovalRequest, {
        id: newId(),
        accountId: requester.accountId,
        kind: kind.name,
        subjectId: input.subjectId,
        requesterUserId: requester.userId,
        state: 'pending',
        notifiedUserIds: [...new Set(input.notify)],
        message,
        decidedByUserId: null,
        decidedAt: null,
        reason: null,
        expiresAt: input.expiresAt,
        createdAt: now,
      });
      try {
        await manager.insert(ApprovalRequest, row);
      } catch (error) {
        throw isUniqueViolation(error) ? ApprovalErrors.alreadyPending() : error;
      }
      const view = toView(row);
      await this.notifications.requested(view);
      await this.recordAudit(view, {
        notifiedUserIds: view.notifiedUserIds,
        ...(input.onBehalfOf !== undefined ? { onBehalfOf: requester.userId } : {}),
      });
      return view;
    });
  }

  /**
   * Approves, for an approver of the kind other than the requester (403 for the requester, 404
   * for whoever may not see the request; 409 when decided or expired).
   */
  async approve(id: string): Promise<ApprovalView> {
    return this.decide(id, 'approved', null);
  }

  /** Rejects, with a required reason (422 without), kept in the request only. */
  async reject(id: string, reason: string): Promise<ApprovalView> {
    const why = trimmedText(reason);
    if (why === null) {
      throw ApprovalErrors.reasonRequired();
    }
    return this.decide(id, 'rejected', why);
  }

  /**
   * The requester withdraws a pending request (403 for an approver, 404 for whoever may not see
   * it; 409 when decided or expired).
   */
  async revoke(id: string): Promise<ApprovalView> {
    const actor = this.person();
    return this.transactions.run(async () => {
      const row = await this.visible(id);
      if (row.requesterUserId !== actor.userId) {
        throw ApprovalErrors.notRequester();
      }
      const now = this.clock.now().toISOString();
      const won = await this.transactions.queryPrepared('approvals_revoke', REVOKE_SQL, [
        actor.userId,
        now,
        actor.accountId,
        id,
      ]);
      return this.settle(won, actor.accountId, id);
    });
  }

  /** A request the actor may see (see {@link seenRequester}); 404 for any other, or none. */
  async find(id: string): Promise<ApprovalView> {
    return toView(await this.visible(id));
  }

  /** The requests about one subject that the actor may see, newest first. */
  async forSubject(kind: string, subjectId: string): Promise<ApprovalView[]> {
    const accountId = this.context.requireAccountId();
    const seen = await this.seenRequester(this.kindOf(kind));
    if (seen === false) {
      return [];
    }
    const rows = await this.transactions.manager.find(ApprovalRequest, {
      where: { accountId, kind, subjectId, ...(seen === null ? {} : { requesterUserId: seen }) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return rows.map(toView);
  }

  /**
   * Expires every pending request whose time is up, in all accounts, each in its own transaction
   * as the account's system actor; returns how many it expired. A request decided meanwhile is
   * left as decided. Runs on the `approvals.expire` schedule.
   */
  async expireDue(): Promise<number> {
    const now = this.clock.now();
    let expired = 0;
    let failed = 0;
    let after: { expiresAt: string; id: string } | undefined;
    for (;;) {
      const builder = this.transactions.manager
        .createQueryBuilder(ApprovalRequest, 'r')
        .select(['r.id', 'r.accountId', 'r.expiresAt'])
        .where("r.state = 'pending'")
        .andWhere('r.expiresAt <= :now', { now: now.toISOString() });
      if (after) {
        // Keyset: a request that failed to expire is not read again in this run.
        builder.andWhere(
          '(r.expiresAt > :afterAt OR (r.expiresAt = :afterAt AND r.id > :afterId))',
          {
            afterAt: after.expiresAt,
            afterId: after.id,
          },
        );
      }
      const due = await builder
        .orderBy('r.expiresAt', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .limit(EXPIRY_BATCH)
        .getMany();
      for (const row of due) {
        try {
          const done = await this.context.runAs(systemActor(row.accountId), () =>
            this.transactions.run(() => this.expireOne(row.accountId, row.id)),
          );
          expired += done ? 1 : 0;
        } catch (error) {
          failed += 1;
          // The id and the error's name only: a kind's error may carry what it worked on.
          this.logger.error(
            { approvalId: row.id, error: (error as Error)?.name },
            'An approval request could not be expired',
          );
        }
      }
      const last = due.at(-1);
      if (!last || due.length < EXPIRY_BATCH) {
        break;
      }
      after = { expiresAt: last.expiresAt.toISOString(), id: last.id };
    }
    if (failed > 0) {
      throw new Error(`${failed} approval request(s) could not be expired; see the log.`);
    }
    return expired;
  }

  private async expireOne(accountId: string, id: string): Promise<ApprovalView | null> {
    const won = await this.transactions.queryPrepared('approvals_expire', EXPIRE_SQL, [
      this.clock.now().toISOString(),
      accountId,
      id,
    ]);
    // Decided since it was listed: nothing to expire.
    return won.length === 0 ? null : this.settle(won, accountId, id);
  }

  private async decide(
    id: string,
    state: Extract<ApprovalState, 'approved' | 'rejected'>,
    reason: string | null,
  ): Promise<ApprovalView> {
    const actor = this.person();
    return this.transactions.run(async () => {
      // Seen by a person: their own request, or one of a kind they may decide.
      const row = await this.visible(id);
      if (row.requesterUserId === actor.userId) {
        throw ApprovalErrors.ownRequest();
      }
      const now = this.clock.now().toISOString();
      const won = await this.transactions.queryPrepared('approvals_decide', DECIDE_SQL, [
        state,
        actor.userId,
        now,
        reason,
        actor.accountId,
        id,
      ]);
      return this.settle(won, actor.accountId, id);
    });
  }

  /**
   * After the conditional update: the loser learns why (409), the winner's transition is
   * settled by its kind, told to the requester and audited — all in the update's transaction.
   */
  private async settle(
    won: readonly object[],
    accountId: string,
    id: string,
  ): Promise<ApprovalView> {
    const row = await this.load(accountId, id);
    if (won.length === 0) {
      throw row.state === 'pending'
        ? ApprovalErrors.expired()
        : ApprovalErrors.alreadyDecided(row.state);
    }
    const view = toView(row);
    const kind = this.kindOf(view.kind);
    await kind.settled(view);
    if (!kind.externalRequesters) {
      await this.notifications.decided(view);
    }
    await this.recordAudit(view, {});
    return view;
  }

  private recordAudit(
    view: ApprovalView,
    extra: { notifiedUserIds?: string[]; onBehalfOf?: string },
  ): Promise<unknown> {
    // Ids and the state only: the message and the reason are free text and stay in the row.
    return this.audit.record({
      action: `approval.${view.state === 'pending' ? 'requested' : view.state}`,
      targetType: 'approval_request',
      targetId: view.id,
      metadata: { kind: view.kind, subjectId: view.subjectId, state: view.state, ...extra },
    });
  }

  /**
   * Who sees which requests of a kind — the one rule of every read and decision: the account's
   * system actor and the kind's approvers see all of them, any other member in person their own,
   * nobody else any. Returns the requester the actor is limited to, `null` for all, `false` for none.
   */
  private async seenRequester(kind: ApprovalKind): Promise<string | null | false> {
    const actor = this.context.requireActor();
    if (isSystem(actor)) {
      return null;
    }
    if (!this.mayRequest(actor)) {
      return false;
    }
    return (await kind.mayDecide(actor)) ? null : actor.userId;
  }

  /** The request of the actor's account, if the actor may see it; else 404, as for none. */
  private async visible(id: string): Promise<ApprovalRequest> {
    const row = await this.load(this.context.requireAccountId(), id);
    const seen = await this.seenRequester(this.kindOf(row.kind));
    if (seen === false || (seen !== null && row.requesterUserId !== seen)) {
      throw ApprovalErrors.notFound();
    }
    return row;
  }

  private async load(accountId: string, id: string): Promise<ApprovalRequest> {
    const row =
      typeof id === 'string'
        ? await this.transactions.manager.findOneBy(ApprovalRequest, { accountId, id })
        : null;
    if (!row) {
      throw ApprovalErrors.notFound();
    }
    return row;
  }

  private kindOf(name: string): ApprovalKind {
    const kind = this.kinds.get(name);
    if (!kind) {
      throw new Error(
        `No approval kind "${name}" is registered: register it with Approvals.register at module init.`,
      );
    }
    return kind;
  }

  /** Requests and decisions are made by a member of the account in person. */
  private person(): Actor & { readonly userId: string } {
    const actor = this.context.requireActor();
    if (!this.mayRequest(actor)) {
      throw ApprovalErrors.personOnly();
    }
    return actor;
  }
}
