import { CustosError } from '@custos/core';

/** The `scimType` values of RFC 7644 §3.12 that Custos answers with. */
export type ScimType =
  'invalidFilter' | 'invalidValue' | 'uniqueness' | 'mutability' | 'invalidSyntax';

function scimError(
  kind: 'bad_request' | 'conflict',
  code: string,
  scimType: ScimType,
  detail: string,
): CustosError {
  return new CustosError(kind, code, detail, { extensions: { scimType } });
}

/** The SCIM errors of `@custos/identity`; the SCIM filter renders them in the SCIM error schema. */
export const ScimErrors = {
  invalidFilter: (detail: string) =>
    scimError(
      'bad_request',
      'identity.scim_invalid_filter',
      'invalidFilter',
      `${detail} Supported: <attribute> eq "<value>" on userName, externalId, id, displayName and emails[type eq "work"].value (Users), displayName, externalId and id (Groups).`,
    ),
  invalidValue: (attribute: string, message: string) =>
    scimError(
      'bad_request',
      'identity.scim_invalid_value',
      'invalidValue',
      `${attribute}: ${message}`,
    ),
  invalidSyntax: (message: string) =>
    scimError('bad_request', 'identity.scim_invalid_syntax', 'invalidSyntax', message),
  userNameChanged: () =>
    scimError(
      'bad_request',
      'identity.scim_user_name_immutable',
      'mutability',
      'userName: is the login email of the person and cannot change through SCIM; deprovision and provision the new address instead.',
    ),
  userNameTaken: () =>
    scimError(
      'conflict',
      'identity.scim_user_exists',
      'uniqueness',
      'userName: a user with this userName is already in this account (filter by userName to find them).',
    ),
  externalIdTaken: () =>
    scimError(
      'conflict',
      'identity.scim_external_id_exists',
      'uniqueness',
      'externalId: another user of this account already has this externalId.',
    ),
  groupNameTaken: () =>
    scimError(
      'conflict',
      'identity.scim_group_exists',
      'uniqueness',
      'displayName: a group with this displayName already exists in this account.',
    ),
  invalidToken: () =>
    new CustosError(
      'unauthenticated',
      'identity.scim_invalid_token',
      'Present a provisioning token of this account as `Authorization: Bearer <token>`; access tokens and API keys are not accepted here.',
    ),
  tooManyRequests: (retryAfterSeconds: number) =>
    new CustosError(
      'rate_limited',
      'identity.scim_rate_limited',
      'Too many SCIM requests with this provisioning token; retry after the Retry-After seconds.',
      { retryAfterSeconds },
    ),
  provisioningTokenNotFound: () =>
    CustosError.notFound('identity.provisioning_token_not_found', 'The provisioning token'),
} as const;
