import type { RecordAction } from './conditions/access-ability';

/** How far a record privilege reaches (Dynamics 365 access levels). */
export const ACCESS_LEVELS = [
  'own',
  'team',
  'business_unit',
  'business_unit_tree',
  'account',
] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** A record privilege of a role: `action` on records of `objectType` within `level`. */
export interface ObjectPrivilege {
  objectType: string;
  action: RecordAction;
  level: AccessLevel;
}

/** Who a field permission or role assignment is for. */
export const PRINCIPAL_TYPES = ['everyone', 'super_admins', 'user', 'team', 'role'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** The record fields access levels test: every subject with access levels has them. */
export const OWNER_FIELD = 'ownerId';
export const BUSINESS_UNIT_FIELD = 'businessUnitId';
