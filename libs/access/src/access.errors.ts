import { CustosError } from '@custos/core';
import type { AccessGain } from './delegation/access-gains';

/** A gain in words, e.g. `user 0193… could read contacts records you cannot read`. */
function describeGain(gain: AccessGain): string {
  switch (gain.kind) {
    case 'super_admin':
      return `user ${gain.userId} would become a super admin`;
    case 'task_privilege':
      return `user ${gain.userId} would hold "${gain.privilege}", which you do not hold`;
    case 'records':
      return `user ${gain.userId} could ${gain.action} ${gain.objectType} records that you cannot`;
    case 'field':
      return `user ${gain.userId} could ${gain.access} "${gain.property}" of ${gain.objectType}, which you cannot`;
  }
}

/** The errors of `@custos/access`. */
export const AccessErrors = {
  roleNotFound: () => CustosError.notFound('access.role_not_found', 'The role'),
  ruleNotFound: () => CustosError.notFound('access.rule_not_found', 'The record rule'),
  assignmentNotFound: () =>
    CustosError.notFound('access.assignment_not_found', 'The role assignment'),
  duplicateRoleName: () =>
    new CustosError('conflict', 'access.duplicate_role', 'A role with this name already exists.', {
      errors: [{ field: 'name', message: 'is already taken in this account' }],
    }),
  alreadyAssigned: () =>
    new CustosError(
      'conflict',
      'access.already_assigned',
      'The role is already assigned to this user or team.',
    ),
  ceiling: (field: string, what: string) =>
    new CustosError(
      'forbidden',
      'access.grant_ceiling',
      `You cannot grant ${what}: you do not hold it yourself.`,
      {
        errors: [{ field, message: 'exceeds what you hold' }],
      },
    ),
  delegationExceeded: (gains: readonly AccessGain[], field?: string) =>
    new CustosError(
      'forbidden',
      'access.grant_ceiling',
      `This change would give access beyond your own: ${gains
        .slice(0, 3)
        .map(describeGain)
        .join('; ')}${gains.length > 3 ? ` (and ${gains.length - 3} more)` : ''}.`,
      {
        ...(field ? { errors: [{ field, message: 'would give access beyond your own' }] } : {}),
        extensions: { gains: gains.slice(0, 50) },
      },
    ),
  accountWideRule: () =>
    new CustosError(
      'forbidden',
      'access.grant_ceiling',
      'Account-wide record rules bind everyone: only a super admin may change or delete one.',
    ),
  hiddenConditionField: (field: string) =>
    new CustosError(
      'forbidden',
      'access.hidden_field',
      `${field}: a rule may only test fields you may read yourself.`,
      { errors: [{ field, message: 'you may not read this field' }] },
    ),
  sealedConditionField: (field: string) =>
    CustosError.invalidField(
      'access.sealed_condition_field',
      field,
      'is a sensitive property stored encrypted: a rule cannot compare its values, so it could not be enforced (restrict access to such records with a plain property, or with field permissions)',
    ),
  ownPermissions: () =>
    new CustosError(
      'forbidden',
      'access.own_permissions',
      'A partner admin cannot change their own permissions (roles, teams, business unit). Ask a super admin of the account.',
    ),
  selfLockout: () =>
    new CustosError(
      'conflict',
      'access.self_lockout',
      'This change would take away your own right to manage roles. Ask another role manager or a super admin to make it.',
    ),
  unknownSubject: (field: string, subjectType: string) =>
    CustosError.invalidField(
      'access.unknown_subject',
      field,
      `"${subjectType}" is not an object type`,
    ),
  unknownPrincipal: (field: string) =>
    CustosError.invalidField(
      'access.unknown_principal',
      field,
      'no such user or team in this account',
    ),
  unknownProperty: (field: string) =>
    CustosError.invalidField(
      'access.unknown_property',
      field,
      'no such property on this object type',
    ),
  userNotFound: () => CustosError.notFound('access.user_not_found', 'The user'),
  recordNotFound: () => CustosError.notFound('access.record_not_found', 'The record'),
  /** Explain: an unknown property and one the caller may not read answer alike. */
  explainUnknownProperty: (subjectType: string) =>
    CustosError.invalidField(
      'access.unknown_property',
      'property',
      `is not a property of ${subjectType}`,
    ),
  explainHiddenCondition: (property: string) =>
    new CustosError(
      'forbidden',
      'access.explain_hidden_condition',
      `The answer depends on a record rule over "${property}", which you may not read. Ask someone who may read it, or explain without a record.`,
      {
        errors: [
          { field: 'recordId', message: `depends on "${property}", which you may not read` },
        ],
        extensions: { property },
      },
    ),
} as const;
