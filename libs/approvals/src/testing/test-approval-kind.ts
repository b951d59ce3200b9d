import type { Actor } from '@custos/core';
import type { ApprovalKind, ApprovalView } from '../approval.types';

/**
 * An approval kind for tests: approvers are whoever the test allows per account, and every
 * `settled` call is recorded (optionally failing, to prove a transition rolls back with it).
 */
export class TestApprovalKind implements ApprovalKind {
  /** Every `settled` call, in order (including those whose transaction then rolled back). */
  readonly settledCalls: ApprovalView[] = [];
  /** The error `settled` throws for a request (after recording the call); none by default. */
  failSettled: (request: ApprovalView) => Error | null = () => null;
  /** Whether approvers may open requests for outsiders (`onBehalfOf`); off by default. */
  externalRequesters = false;
  private readonly allowed = new Map<string, Set<string>>();

  constructor(readonly name = 'test') {}

  /** Makes these users approvers of requests of this kind in the account. */
  allow(accountId: string, ...userIds: string[]): this {
    const users = this.allowed.get(accountId) ?? new Set<string>();
    userIds.forEach((userId) => users.add(userId));
    this.allowed.set(accountId, users);
    return this;
  }

  /** Takes the right to decide away from these users. */
  disallow(accountId: string, ...userIds: string[]): this {
    userIds.forEach((userId) => this.allowed.get(accountId)?.delete(userId));
    return this;
  }

  approvers(accountId: string): Promise<string[]> {
    return Promise.resolve([...(this.allowed.get(accountId) ?? [])]);
  }

  mayDecide(actor: Actor): Promise<boolean> {
    return Promise.resolve(
      actor.userId !== null && (this.allowed.get(actor.accountId)?.has(actor.userId) ?? false),
    );
  }

  settled(request: ApprovalView): Promise<void> {
    this.settledCalls.push(request);
    const failure = this.failSettled(request);
    return failure ? Promise.reject(failure) : Promise.resolve();
  }

  /** How many times `settled` ran for the request. */
  settledCount(id: string): number {
    return this.settledCalls.filter((call) => call.id === id).length;
  }
}
