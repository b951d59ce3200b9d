import { CustosError } from '@custos/core';

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
  ruleCeiling: () =>
    new CustosError(
      'forbidden',
      'access.grant_ceiling',
      'You cannot change or delete this record rule: it would give its holders records you cannot reach yourself.',
    ),
  ownRestriction: () =>
    new CustosError(
      'forbidden',
      'access.own_restriction',
      'Record rules of this role bind you: ask another role manager or a super admin to remove it from you.',
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
} as const;
