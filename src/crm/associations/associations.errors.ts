import { CustosError } from '@custos/core';

/** The errors of CRM associations: stable codes, one wording each. */
export const AssociationErrors = {
  notAllowed: (from: string, to: string) =>
    CustosError.invalidField(
      'crm.association_not_allowed',
      'toObjectType',
      `${from} cannot be associated with ${to}`,
    ),
  notFound: () =>
    new CustosError('not_found', 'crm.association_not_found', 'These records are not associated.'),
};
