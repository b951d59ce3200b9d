import type { Actor } from '../context/actor';
import { isPrivateApp } from '../context/actor-capabilities';
import type { TaskPrivilege } from './task-privilege';

/**
 * Port answering "does this actor hold this task privilege". The default grants everything to
 * super admins and a private app exactly its scopes; `@custos/access` provides the role-based one.
 */
export interface PrivilegeResolver {
  hasPrivilege(actor: Actor, privilege: TaskPrivilege): Promise<boolean>;
}

export const PRIVILEGE_RESOLVER = Symbol('custos:privilege-resolver');

export class SuperAdminPrivilegeResolver implements PrivilegeResolver {
  async hasPrivilege(actor: Actor, privilege: TaskPrivilege): Promise<boolean> {
    if (isPrivateApp(actor)) {
      return actor.scopes?.includes(privilege) ?? false;
    }
    return actor.superAdmin;
  }
}
