import { CustosError } from '@custos/core';

/** The errors of CRM segments: stable codes, one wording each. */
export const SegmentErrors = {
  /** A segment the actor may not see, or that does not exist: the two are never told apart. */
  notFound: () => CustosError.notFound('crm.segment_not_found', 'The segment'),
  notEditable: () =>
    new CustosError(
      'forbidden',
      'crm.segment_not_editable',
      'This segment is shared with you read-only: ask its owner or a super admin to change it, or to share it for editing.',
    ),
  /** Changing the sharing or deleting stays with the owner (and super admins). */
  ownerOnly: (change: string, field?: string) =>
    new CustosError(
      'forbidden',
      'crm.segment_owner_only',
      `Only the segment's owner or a super admin may ${change}.`,
      field
        ? { errors: [{ field, message: 'only the owner or a super admin may change this' }] }
        : {},
    ),
  duplicateName: () =>
    new CustosError(
      'conflict',
      'crm.duplicate_segment',
      'A segment with this name already exists.',
      {
        errors: [{ field: 'name', message: 'is already taken' }],
      },
    ),
};
