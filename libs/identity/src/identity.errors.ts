import { CustosError } from '@custos/core';

/** The errors of `@custos/identity`; codes are stable, details say what to do. */
export const IdentityErrors = {
  superAdminRequired: (detail: string, field?: string) =>
    new CustosError('forbidden', 'identity.super_admin_required', detail, {
      ...(field ? { errors: [{ field, message: 'only super admins may do this' }] } : {}),
    }),
  unknownTemplate: (offered: readonly string[]) =>
    CustosError.invalidField(
      'identity.unknown_template',
      'template',
      offered.length > 0
        ? `is not a template this server offers (${offered.join(', ')})`
        : 'this server offers no templates',
    ),
  invalidCredentials: () =>
    new CustosError(
      'unauthenticated',
      'identity.invalid_credentials',
      'The email or password is wrong.',
    ),
  invalidToken: () =>
    new CustosError(
      'unauthenticated',
      'identity.invalid_token',
      'The access token or API key is missing, invalid or expired.',
    ),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new CustosError(
      'rate_limited',
      'identity.too_many_attempts',
      'Too many failed sign-in attempts. Wait before trying again.',
      {
        retryAfterSeconds,
      },
    ),
  accountRequired: (
    accounts: { id: string; name: string }[],
    invitations: { id: string; name: string }[],
  ) =>
    new CustosError(
      'validation',
      'identity.account_required',
      'Choose an account: repeat the request with one of your accounts as accountId, or with an account of an invitation to accept it.',
      {
        errors: [{ field: 'accountId', message: 'choose one of the listed accounts' }],
        extensions: { accounts, invitations },
      },
    ),
  invitationPending: () =>
    new CustosError(
      'conflict',
      'identity.invitation_pending',
      'The person has not accepted the invitation yet, so there is no status to change. Remove the user to withdraw it.',
      {
        errors: [{ field: 'status', message: 'the invitation is not accepted yet' }],
      },
    ),
  notAMember: (field: string) =>
    CustosError.invalidField(
      'identity.not_a_member',
      field,
      'you are not an active member of this account',
    ),
  lastSuperAdmin: () =>
    new CustosError(
      'conflict',
      'identity.last_super_admin',
      'This would leave the account without a super admin. Make another user super admin first.',
    ),
  userNotFound: () => CustosError.notFound('identity.user_not_found', 'The user'),
  teamNotFound: () => CustosError.notFound('identity.team_not_found', 'The team'),
  businessUnitNotFound: () =>
    CustosError.notFound('identity.business_unit_not_found', 'The business unit'),
  apiKeyNotFound: () => CustosError.notFound('identity.api_key_not_found', 'The API key'),
  alreadyMember: () =>
    new CustosError(
      'conflict',
      'identity.already_member',
      'A user with this email is already a member of this account.',
      {
        errors: [{ field: 'email', message: 'is already a member of this account' }],
      },
    ),
  duplicateName: (what: string) =>
    new CustosError(
      'conflict',
      'identity.duplicate_name',
      `${what} with this name already exists in this account.`,
      {
        errors: [{ field: 'name', message: 'is already taken in this account' }],
      },
    ),
  businessUnitInUse: () =>
    new CustosError(
      'conflict',
      'identity.business_unit_in_use',
      'The business unit still has child units or members. Move them first.',
    ),
  rootBusinessUnit: () =>
    new CustosError(
      'conflict',
      'identity.root_business_unit',
      'The root business unit cannot be deleted or moved.',
    ),
  businessUnitCycle: () =>
    CustosError.invalidField(
      'identity.business_unit_cycle',
      'parentId',
      'cannot be the unit itself or one of its descendants',
    ),
  passwordLoginDisabled: () =>
    new CustosError(
      'conflict',
      'identity.no_password',
      'This user signs in through the identity provider and has no password.',
    ),
  scopeNotHeld: (index: number) =>
    CustosError.invalidField(
      'identity.scope_not_held',
      `scopes[${index}]`,
      'you cannot grant a privilege you do not hold',
    ),
  supportAccessNotFound: () =>
    CustosError.notFound('identity.support_access_not_found', 'The support access grant'),
  supportUserIsMember: () =>
    new CustosError(
      'conflict',
      'identity.support_user_is_member',
      'This person is a member of this account (active or deactivated): manage their rights through roles instead.',
      {
        errors: [{ field: 'supportUserEmail', message: 'is a member of this account' }],
      },
    ),
  supportAccessExists: () =>
    new CustosError(
      'conflict',
      'identity.support_access_exists',
      'This person already holds active support access to this account. Revoke it first to change it.',
      {
        errors: [{ field: 'supportUserEmail', message: 'already holds active support access' }],
      },
    ),
  supportAccessTooLong: (maxDays: number) =>
    CustosError.invalidField(
      'identity.support_access_too_long',
      'expiresAt',
      `must be at most ${maxDays} days ahead`,
    ),
  expiryInPast: () =>
    CustosError.invalidField('identity.expiry_in_past', 'expiresAt', 'must be in the future'),
} as const;
