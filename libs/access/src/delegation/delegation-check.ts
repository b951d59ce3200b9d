import { Injectable } from '@nestjs/common';
import {
  RequestContext,
  TransactionHost,
  isPartnerAdmin,
  isSuperAdminInPerson,
} from '@custos/core';
import { AccessErrors } from '../access.errors';
import { AccessService, type AccountAccess } from '../abilities/access.service';
import type { ActorAccess } from '../abilities/actor-access';
import { buildAccess, type AccessInputs } from '../abilities/build-access';
import { accessGains, type AccessGain } from './access-gains';

/**
 * The one rule of delegated administration: a change made by anyone but a super admin in person
 * (roles, assignments, rules, field permissions, teams, business units, users, …) may not leave
 * any user — the actor included — able to do on a record or a field what the actor could not do
 * before it. Every administrative write runs through {@link DelegationCheck.checked}.
 */
@Injectable()
export class DelegationCheck {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
  ) {}

  /**
   * Runs `change` in a transaction (joining the current one) and keeps it only if no active
   * member gains access beyond the actor's; otherwise rolls it back with 403
   * `access.grant_ceiling` naming each gain (and `field`, the request member that asked
   * for the change — or a function of the first gain giving it — when given).
   */
  async checked<T>(
    change: () => Promise<T>,
    field?: string | ((gain: AccessGain) => string),
  ): Promise<T> {
    const actor = this.context.requireActor();
    return this.transactions.run(async () => {
      // Every administrative change takes this lock first, so locks are always taken in one order.
      await this.access.lock(actor.accountId);
      if (isSuperAdminInPerson(actor)) {
        return change();
      }
      const mine = await this.access.build(actor);
      if (mine.superAdmin) {
        // A super admin's access (a background job, a SCIM provisioning token) already holds
        // whatever a change could grant: there is nothing to compare.
        return change();
      }
      const before = await this.access.accountInputs(actor.accountId);
      const result = await change();
      const after = await this.access.accountInputs(actor.accountId);
      if (isPartnerAdmin(actor) && changesOwn(before, after, actor.userId)) {
        // Partner admins never edit their own permissions: the customer's super admins do.
        throw AccessErrors.ownPermissions();
      }
      const gains = gainsOf(before, after, mine);
      if (gains.length > 0) {
        throw AccessErrors.delegationExceeded(
          gains,
          typeof field === 'function' ? field(gains[0]) : field,
        );
      }
      return result;
    });
  }
}

function gainsOf(before: AccountAccess, after: AccountAccess, actor: ActorAccess): AccessGain[] {
  const restricted = new Map<string, Set<string>>();
  for (const source of [before.restricted, after.restricted]) {
    for (const [objectType, properties] of source) {
      restricted.set(objectType, new Set([...(restricted.get(objectType) ?? []), ...properties]));
    }
  }
  const gains: AccessGain[] = [];
  for (const [userId, now] of after.inputs) {
    const was = before.inputs.get(userId);
    const compare = {
      records: !was || recordKey(was) !== recordKey(now),
      fields: !was || fieldKey(was) !== fieldKey(now),
    };
    if (compare.records || compare.fields) {
      gains.push(
        ...accessGains(
          userId,
          actor,
          was ? buildAccess(was) : null,
          buildAccess(now),
          { restricted },
          compare,
        ),
      );
    }
  }
  return gains;
}

/**
 * Whether the change touched what `userId`'s own permissions are built from: the roles they hold
 * (directly or through a team) and what those roles grant, their teams and business units.
 * Account-wide rules and field lists bind everyone alike and are checked as gains instead.
 */
function changesOwn(before: AccountAccess, after: AccountAccess, userId: string | null): boolean {
  const own = (inputs: AccessInputs | undefined) =>
    inputs &&
    JSON.stringify([
      inputs.superAdmin,
      inputs.facts?.teamIds,
      inputs.facts?.businessUnitIds,
      inputs.roles.map((r) => [r.id, r.privileges, r.taskPrivileges]),
      inputs.rules.filter((r) => inputs.roles.some((role) => role.id === r.roleId)),
    ]);
  return userId !== null && own(before.inputs.get(userId)) !== own(after.inputs.get(userId));
}

/** Everything a user's record rules and task privileges are built from. */
function recordKey(inputs: AccessInputs): string {
  const roleIds = new Set(inputs.roles.map((r) => r.id));
  return JSON.stringify([
    inputs.superAdmin,
    inputs.facts,
    inputs.roles.map((r) => [r.id, r.privileges, r.taskPrivileges]),
    inputs.rules
      .filter((r) => r.roleId === null || roleIds.has(r.roleId))
      .map((r) => [r.id, r.roleId, r.objectType, r.actions, r.effect, r.condition]),
  ]);
}

/** Everything a user's field access is built from. */
function fieldKey(inputs: AccessInputs): string {
  return JSON.stringify([
    inputs.superAdmin,
    inputs.facts?.id,
    inputs.facts?.teamIds,
    inputs.roles.map((r) => r.id),
    inputs.fieldPermissions.map((p) => [
      p.id,
      p.objectType,
      p.property,
      p.access,
      p.principalType,
      p.principalId,
    ]),
  ]);
}
