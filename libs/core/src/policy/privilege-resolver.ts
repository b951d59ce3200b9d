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
  /**
   * `actor` with the super-admin standing they hold now. Background work (a job, an export, an
   * import) keeps a snapshot of who asked, taken when they asked: it runs as {@link current} of
   * it, so a super admin demoted meanwhile does not run with a super admin's reach.
   */
  current(actor: Actor): Promise<Actor>;
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

  /** Without roles or memberships to read, the actor stands as given. */
  async current(actor: Actor): Promise<Actor> {
    return actor;
  }
}
