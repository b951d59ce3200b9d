import { CustosError } from '@custos/core';

/** The errors of `@custos/audit`; codes are stable, details say what to do. */
export const AuditErrors = {
  invalidAction: (field: string) =>
    CustosError.invalidField(
      'audit.invalid_action',
      field,
      'must be dot-separated lower-case words (letters, digits, _), e.g. user.created',
    ),
  invalidActionFilter: (field: string) =>
    CustosError.invalidField(
      'audit.invalid_action',
      field,
      'must be an action such as user.created, or a prefix ending in a dot such as user.',
    ),
  invalidField: (field: string, message: string) =>
    CustosError.invalidField('audit.invalid_input', field, message),
  invalidMetadata: (message: string) =>
    CustosError.invalidField('audit.invalid_metadata', 'metadata', message),
  invalidTime: (field: string) =>
    CustosError.invalidField(
      'audit.invalid_time',
      field,
      'must be an ISO-8601 date-time between years 1970 and 9999',
    ),
  invalidTimeRange: () =>
    CustosError.invalidField('audit.invalid_time_range', 'to', 'must be later than from'),
  invalidLimit: (max: number) =>
    CustosError.invalidField('audit.invalid_limit', 'limit', `must be an integer from 1 to ${max}`),
  invalidCursor: () =>
    CustosError.invalidField(
      'core.invalid_cursor',
      'after',
      'is not a cursor returned by this list',
    ),
  crossAccount: () =>
    new CustosError(
      'forbidden',
      'audit.cross_account',
      'An audit event may only be recorded in the account of the current actor; pass `actor` too when recording on behalf of another principal.',
    ),
  chainHeadInvalid: () =>
    new CustosError(
      'conflict',
      'audit.chain_head_invalid',
      "The signature of this account's audit chain head does not verify, so no event can be appended. Run GET /api/v1/audit-log/verify and restore the audit tables from a backup.",
    ),
  chainConflict: () =>
    new CustosError(
      'conflict',
      'audit.chain_conflict',
      "The next sequence number of this account's audit chain is already taken: the audit tables were changed outside Custos. Run GET /api/v1/audit-log/verify.",
    ),
} as const;
