import { CustosError } from '@custos/core';

/** The errors of CRM search (filters, sorts, cursors): stable codes, one wording each. */
export const SearchErrors = {
  filterValueRequired: (field: string, operator: string) =>
    CustosError.invalidField('crm.filter_value_required', field, `is required for ${operator}`),
  invalidOperator: (field: string, message: string) =>
    CustosError.invalidField('crm.invalid_operator', `${field}.operator`, message),
  /** A sealed value can be compared only for equality (through its blind-index token). */
  sensitiveOperator: (field: string, property: string) =>
    CustosError.invalidField(
      'crm.sensitive_operator',
      `${field}.operator`,
      `"${property}" is sensitive and stored encrypted: only eq, in, has_property and not_has_property can search it`,
    ),
  invalidSort: (message: string) =>
    CustosError.invalidField('crm.invalid_sort', 'sorts[0].propertyName', message),
  invalidCursor: () =>
    CustosError.invalidField(
      'core.invalid_cursor',
      'after',
      'is not a cursor returned by this search',
    ),
};
