import { CustosError } from '@custos/core';

/** The errors of `@custos/partners`; codes are stable, details say what to do. */
export const PartnersErrors = {
  firmNotFound: () => CustosError.notFound('partners.firm_not_found', 'The partner firm'),
  employeeNotFound: () =>
    CustosError.notFound('partners.employee_not_found', 'The partner employee'),
  accountNotFound: () => CustosError.notFound('partners.account_not_found', 'The account'),
  partnerAdminNotFound: () =>
    CustosError.notFound('partners.partner_admin_not_found', 'The partner admin'),
  firmExists: () =>
    new CustosError(
      'conflict',
      'partners.firm_exists',
      'This account already hosts a partner firm, or you already belong to one.',
    ),
  alreadyEmployee: (field: string) =>
    new CustosError(
      'conflict',
      'partners.already_employee',
      'This user already belongs to a partner firm (a user belongs to at most one).',
      { errors: [{ field, message: 'already belongs to a partner firm' }] },
    ),
  notFirmAdmin: () =>
    new CustosError(
      'forbidden',
      'partners.firm_admin_required',
      "Only an admin of the partner firm, signed in to the firm's own account, may do this.",
    ),
  notHomeMember: (field: string) =>
    CustosError.invalidField(
      'partners.not_a_home_member',
      field,
      "is not an active member of the partner firm's own account",
    ),
  notEmployee: (field: string) =>
    CustosError.invalidField(
      'partners.not_partner_employee',
      field,
      'is not a partner employee: only employees of a partner firm can be partner admins',
    ),
  otherFirm: (field: string) =>
    CustosError.invalidField(
      'partners.other_firm',
      field,
      'is an employee of another partner firm: a partner admin adds only their own firm’s employees',
    ),
  noFreeSeatTemplate: () =>
    CustosError.invalidField(
      'partners.no_free_seat',
      'template',
      'the account has no free partner seat: a super admin adds seats first',
    ),
  noFreeSeat: () =>
    new CustosError(
      'conflict',
      'partners.no_free_seat',
      'The account has no free partner seat: a super admin adds seats first (PUT /partner-seats/partner).',
    ),
  seatsInUse: (used: number) =>
    new CustosError(
      'conflict',
      'partners.seats_in_use',
      `${used} partner seat(s) are in use: end partner relationships before lowering the count below that.`,
      { errors: [{ field: 'seats', message: `must be at least ${used}` }], extensions: { used } },
    ),
  notMigratable: () =>
    new CustosError(
      'conflict',
      'partners.not_a_super_admin',
      'Only an active super admin who is a partner employee can be migrated to partner admin.',
    ),
  alreadyMember: () =>
    new CustosError(
      'conflict',
      'partners.already_member',
      'The partner employee is already a member of this account: migrate them instead (a super admin) or end their access first.',
    ),
  linkNotValid: () =>
    CustosError.notFound(
      'partners.link_not_valid',
      'The access link (it may have been regenerated, or its owner left the firm)',
    ),
  linkApproverRequired: () =>
    new CustosError(
      'forbidden',
      'partners.link_approver_required',
      'Access links are approved by a super admin, or by a member allowed to manage users, in person.',
    ),
  privilegeRequired: (privilege: string) =>
    new CustosError(
      'forbidden',
      'partners.privilege_required',
      `This requires the "${privilege}" privilege in the account.`,
      { extensions: { privilege } },
    ),
  unknownSeatType: () =>
    CustosError.invalidField('partners.unknown_seat_type', 'seatType', 'must be "partner"'),
  invalidTerm: (field: string) =>
    CustosError.invalidField('partners.invalid_term', field, 'must be 1 to 730 days'),
} as const;
