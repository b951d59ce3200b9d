import type { Actor } from '../context/actor';
import { isPrivateApp } from '../context/actor-capabilities';
import { TASK_PRIVILEGES, type TaskPrivilege } from './task-privilege';

/**
 * Port answering "does this actor hold this task privilege". The default grants everything to
 * super admins and a private app exactly its scopes; `@custos/access` provides the role-based one.
 */
export interface PrivilegeResolver {
  hasPrivilege(actor: Actor, privilege: TaskPrivilege): Promise<boolean>;
  /** Every task privilege the actor holds, in order of definition (`GET /me` lists them). */
  heldPrivileges(actor: Actor): Promise<TaskPrivilege[]>;
}

export const PRIVILEGE_RESOLVER = Symbol('custos:privilege-resolver');

export class SuperAdminPrivilegeResolver implements PrivilegeResolver {
  async hasPrivilege(actor: Actor, privilege: TaskPrivilege): Promise<boolean> {
    if (isPrivateApp(actor)) {
      return actor.scopes?.includes(privilege) ?? false;
    }
    return actor.superAdmin;
  }

  async heldPrivileges(actor: Actor): Promise<TaskPrivilege[]> {
    if (isPrivateApp(actor)) {
      return TASK_PRIVILEGES.filter((p) => actor.scopes?.includes(p) ?? false);
    }
    return actor.superAdmin ? [...TASK_PRIVILEGES] : [];
  }
}
