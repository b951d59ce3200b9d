import { definePrivileges } from '@custos/core';

/** Task privileges of `@custos/access`. */
export const ACCESS_PRIVILEGES = definePrivileges(['manage_roles'] as const);
export type AccessPrivilege = (typeof ACCESS_PRIVILEGES)[number];
