import type { TaskPrivilege } from '@custos/core';
import type { AccessLevel, ObjectPrivilege } from '../access.types';
import type { ActorAccess } from '../abilities/actor-access';
import { AccessErrors } from '../access.errors';

const LEVEL_RANK: Record<AccessLevel, number> = {
  own: 0,
  team: 1,
  business_unit: 2,
  business_unit_tree: 3,
  account: 4,
};

/**
 * Nobody grants more than they hold: every record privilege must be held at the same or a wider
 * level (and not narrowed by a record rule of a held role), every task privilege held. Super
 * admins hold everything. Throws 403 naming the item.
 */
export function assertWithinCeiling(
  access: ActorAccess,
  privileges: readonly ObjectPrivilege[],
  taskPrivileges: readonly TaskPrivilege[],
  fieldPrefix = '',
): void {
  if (access.superAdmin) {
    return;
  }
  privileges.forEach((wanted, index) => {
    const held = access.grantable
      .filter((p) => p.objectType === wanted.objectType && p.action === wanted.action)
      .reduce((max, p) => Math.max(max, LEVEL_RANK[p.level]), -1);
    if (held < LEVEL_RANK[wanted.level]) {
      throw AccessErrors.ceiling(
        `${fieldPrefix}privileges[${index}]`,
        `"${wanted.action}" on ${wanted.objectType} at level ${wanted.level}`,
      );
    }
  });
  taskPrivileges.forEach((wanted, index) => {
    if (!access.taskPrivileges.has(wanted)) {
      throw AccessErrors.ceiling(
        `${fieldPrefix}taskPrivileges[${index}]`,
        `the "${wanted}" privilege`,
      );
    }
  });
}
