import { TASK_PRIVILEGES, type TaskPrivilege } from '@custos/core';
import {
  BUSINESS_UNIT_FIELD,
  OWNER_FIELD,
  type AccessLevel,
  type ObjectPrivilege,
} from '../access.types';
import {
  createAccessAbility,
  type AccessRule,
  type RecordAction,
} from '../conditions/access-ability';
import {
  prepareCondition,
  type ActorFacts,
  type Condition,
} from '../conditions/condition-language';
import type { FieldPermission } from '../field-permissions/field-permission.entity';
import type { Role } from '../roles/role.entity';
import type { RecordRule } from '../rules/record-rule.entity';
import type { ActorAccess, FieldAccess } from './actor-access';

/** What an actor's access is computed from. */
export interface AccessInputs {
  superAdmin: boolean;
  /** `null` for actors without a person behind them in this account. */
  facts: ActorFacts | null;
  /** The roles the actor holds, directly or through a team. */
  roles: readonly Role[];
  /** Every record rule of the account. */
  rules: readonly RecordRule[];
  /** Every field permission of the account. */
  fieldPermissions: readonly FieldPermission[];
  /** Task privileges to hold instead of those of the roles (private apps: their effective scopes). */
  taskPrivileges?: ReadonlySet<TaskPrivilege>;
  /**
   * Support sessions: `read` of every record of every type and nothing else, still bound by the
   * account-wide record rules (as the actor is nobody in the account, `$user.*` matches nothing).
   * Default `false`.
   */
  readOnly?: boolean;
}

/** The task privileges of a support session: viewing only. */
export const SUPPORT_TASK_PRIVILEGES: readonly TaskPrivilege[] = ['view_audit_log'];

/** The facts of an actor who is nobody in the account: placeholders match no record. */
const NOBODY: ActorFacts = {
  id: '',
  teamIds: [],
  teamMemberIds: [],
  businessUnitIds: [],
  businessUnitTreeIds: [],
};

/** The condition an access level puts on records. */
export function levelCondition(level: AccessLevel): Condition | null {
  switch (level) {
    case 'own':
      return { [OWNER_FIELD]: '$user.id' };
    case 'team':
      return { [OWNER_FIELD]: { $in: '$user.teamMemberIds' } };
    case 'business_unit':
      return { [BUSINESS_UNIT_FIELD]: { $in: '$user.businessUnitIds' } };
    case 'business_unit_tree':
      return { [BUSINESS_UNIT_FIELD]: { $in: '$user.businessUnitTreeIds' } };
    case 'account':
      return null;
  }
}

function appliesTo(rule: RecordRule, action: RecordAction): boolean {
  return rule.actions.includes(action);
}

/**
 * Compiles roles, record rules and field permissions into CASL rules:
 * - each role privilege becomes `can(action, type, level ∧ (role's restrict rules OR'ed) ∧ account-wide restrict rules)`;
 * - deny rules (of held roles, or account-wide) become `cannot(action, type, condition)` and win;
 * - properties the actor may not view (edit) become `cannot('read' ('update'), type, fields)`.
 * Super admins may do everything in their account; read-only actors (support) read everything
 * account-wide rules let anyone read.
 */
export function buildAccess(inputs: AccessInputs): ActorAccess {
  const { facts } = inputs;
  const roleIds = inputs.roles.map((r) => r.id);
  const rules: AccessRule[] = [];
  const grantable: ObjectPrivilege[] = [];
  if (inputs.superAdmin) {
    rules.push({ action: 'manage', subject: 'all' });
  } else if (inputs.readOnly) {
    rules.push(...readOnlyRules(inputs.rules));
  } else if (facts) {
    const prepare = (condition: Condition) => prepareCondition(condition, facts);
    const heldRoleIds = new Set(roleIds);
    const globalRestrictions = inputs.rules.filter(
      (r) => r.roleId === null && r.effect === 'restrict',
    );
    for (const role of inputs.roles) {
      const roleRestrictions = inputs.rules.filter(
        (r) => r.roleId === role.id && r.effect === 'restrict',
      );
      for (const privilege of role.privileges) {
        const parts: Condition[] = [];
        const level = levelCondition(privilege.level);
        if (level) {
          parts.push(level);
        }
        const own = roleRestrictions.filter(
          (r) => r.objectType === privilege.objectType && appliesTo(r, privilege.action),
        );
        if (own.length > 0) {
          parts.push({ $or: own.map((r) => r.condition) });
        } else if (
          !inputs.rules.some(
            (r) =>
              r.effect === 'deny' &&
              r.roleId !== null &&
              heldRoleIds.has(r.roleId) &&
              r.objectType === privilege.objectType &&
              appliesTo(r, privilege.action),
          )
        ) {
          grantable.push(privilege);
        }
        for (const global of globalRestrictions.filter(
          (r) => r.objectType === privilege.objectType && appliesTo(r, privilege.action),
        )) {
          parts.push(global.condition);
        }
        rules.push({
          action: privilege.action,
          subject: privilege.objectType,
          reason: `role:${role.id}:${privilege.level}`,
          ...(parts.length > 0
            ? { conditions: prepare(parts.length === 1 ? parts[0] : { $and: parts }) }
            : {}),
        });
      }
    }
    for (const deny of inputs.rules.filter(
      (r) => r.effect === 'deny' && (r.roleId === null || heldRoleIds.has(r.roleId)),
    )) {
      for (const action of deny.actions) {
        rules.push({
          action,
          subject: deny.objectType,
          inverted: true,
          reason: `deny:${deny.id}`,
          conditions: prepare(deny.condition),
        });
      }
    }
  }
  const fieldAccess = fieldAccessOf(inputs, roleIds);
  for (const [subjectType, access] of fieldAccess.restricted) {
    const hiddenFromView = [...access.view.entries()]
      .filter(([, allowed]) => !allowed)
      .map(([p]) => p);
    const hiddenFromEdit = [...access.edit.entries()]
      .filter(([, allowed]) => !allowed)
      .map(([p]) => p);
    if (hiddenFromView.length > 0) {
      rules.push({ action: 'read', subject: subjectType, fields: hiddenFromView, inverted: true });
    }
    if (hiddenFromEdit.length > 0 || hiddenFromView.length > 0) {
      rules.push({
        action: ['create', 'update'],
        subject: subjectType,
        fields: [...new Set([...hiddenFromEdit, ...hiddenFromView])],
        inverted: true,
      });
    }
  }
  const taskPrivileges =
    inputs.taskPrivileges ??
    new Set<TaskPrivilege>(
      inputs.superAdmin ? TASK_PRIVILEGES : inputs.roles.flatMap((r) => r.taskPrivileges),
    );
  const ability = createAccessAbility(rules);
  return {
    ability,
    superAdmin: inputs.superAdmin,
    facts,
    roleIds,
    privileges: inputs.roles.flatMap((r) => r.privileges),
    grantable,
    taskPrivileges,
    fields: (subjectType) => fieldAccess.forSubject(subjectType),
  };
}

/**
 * `read` of everything, then each account-wide rule on reads as a `cannot`: a deny rule where its
 * condition holds, a restrict rule where it does not.
 */
function readOnlyRules(recordRules: readonly RecordRule[]): AccessRule[] {
  const rules: AccessRule[] = [{ action: 'read', subject: 'all', reason: 'support' }];
  for (const rule of recordRules) {
    if (rule.roleId !== null || !appliesTo(rule, 'read')) {
      continue;
    }
    const condition = prepareCondition(rule.condition, NOBODY);
    rules.push({
      action: 'read',
      subject: rule.objectType,
      inverted: true,
      reason: `${rule.effect}:${rule.id}`,
      conditions: rule.effect === 'deny' ? condition : { $nor: [condition] },
    });
  }
  return rules;
}

interface SubjectFieldAccess {
  /** Restricted property → whether this actor is on its allow-list. */
  view: Map<string, boolean>;
  edit: Map<string, boolean>;
}

function fieldAccessOf(inputs: AccessInputs, roleIds: readonly string[]) {
  const restricted = new Map<string, SubjectFieldAccess>();
  const matches = (permission: FieldPermission): boolean => {
    switch (permission.principalType) {
      case 'everyone':
        return true;
      case 'super_admins':
        return inputs.superAdmin;
      case 'user':
        return inputs.facts?.id === permission.principalId;
      case 'team':
        return inputs.facts?.teamIds.includes(permission.principalId) ?? false;
      case 'role':
        return roleIds.includes(permission.principalId);
    }
  };
  for (const permission of inputs.fieldPermissions) {
    const subject = restricted.get(permission.objectType) ?? { view: new Map(), edit: new Map() };
    restricted.set(permission.objectType, subject);
    const list = permission.access === 'view' ? subject.view : subject.edit;
    list.set(
      permission.property,
      (list.get(permission.property) ?? false) || inputs.superAdmin || matches(permission),
    );
  }
  return {
    restricted,
    forSubject(subjectType: string): FieldAccess {
      const subject = restricted.get(subjectType);
      const canView = (property: string) => subject?.view.get(property) ?? true;
      return {
        canView,
        canEdit: (property) => canView(property) && (subject?.edit.get(property) ?? true),
      };
    },
  };
}
