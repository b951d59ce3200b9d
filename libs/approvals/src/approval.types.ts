import type { Actor } from '@custos/core';

/** The states of an approval request; every state but `pending` is final. */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'revoked', 'expired'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** An approval request as callers see it. */
export interface ApprovalView {
  id: string;
  accountId: string;
  /** The kind it belongs to (e.g. `export`). */
  kind: string;
  /** What is being approved (e.g. the export's id). */
  subjectId: string;
  requesterUserId: string;
  state: ApprovalState;
  /** Approvers the requester asked to notify (any eligible approver may decide). */
  notifiedUserIds: string[];
  message: string | null;
  decidedByUserId: string | null;
  decidedAt: Date | null;
  /** Required for a rejection. */
  reason: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/**
 * A kind of approval a feature registers (e.g. exports): who may decide, and what happens when a
 * request leaves `pending`. `settled` runs in the transaction of the transition, so an approval
 * and the work it releases (a queued job) commit together, or neither does.
 */
export interface ApprovalKind {
  readonly name: string;
  /**
   * Requests of this kind are made for someone outside the account (e.g. a partner employee whose
   * access link a customer opened): an approver opens them with `onBehalfOf`, and the engine does
   * not notify that requester, who has no inbox in the account (the kind tells them its own way).
   * Default `false`: only members request, for themselves.
   */
  readonly externalRequesters?: boolean;
  /** Users of the account who may decide requests of this kind (the requester is excluded by the engine). */
  approvers(accountId: string): Promise<string[]>;
  /** Whether this actor may decide (in person; the engine refuses the requester itself). */
  mayDecide(actor: Actor): Promise<boolean>;
  /** Called once per request, in the transaction that moves it out of `pending`. */
  settled(request: ApprovalView): Promise<void>;
}

/** What {@link Approvals.request} needs: the current actor (a person) is the requester. */
export interface ApprovalRequestInput {
  /** A registered {@link ApprovalKind}'s name. */
  kind: string;
  /** What is being approved: an id or short name (letters, digits, `_ - . :`, at most 64). */
  subjectId: string;
  /** User ids of eligible approvers to notify (at least one; never the requester). */
  notify: readonly string[];
  /** The requester's note to the approvers (at most 1000 characters); kept in the request only. */
  message?: string | null;
  /** When the request expires if still pending; must be in the future. */
  expiresAt: Date;
  /**
   * Kinds with `externalRequesters` only: the user id of the outsider the request is for. The
   * actor opening it must be an approver of the kind (403 otherwise) and may then decide it.
   */
  onBehalfOf?: string;
}
