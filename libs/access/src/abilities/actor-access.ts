import type { TaskPrivilege } from '@custos/core';
import type { ObjectPrivilege } from '../access.types';
import type { AccessAbility } from '../conditions/access-ability';
import type { ActorFacts } from '../conditions/condition-language';

/** Which properties of a subject type an actor may view and edit. */
export interface FieldAccess {
  /** `true` when every property is allowed; else the allowed set applies to the restricted properties. */
  canView(property: string): boolean;
  canEdit(property: string): boolean;
}

/** Everything an actor may do in their account, built once and cached until their rights change. */
export interface ActorAccess {
  readonly ability: AccessAbility;
  readonly superAdmin: boolean;
  readonly facts: ActorFacts | null;
  readonly roleIds: readonly string[];
  /** The record privileges of the roles held (not of super admin status). */
  readonly privileges: readonly ObjectPrivilege[];
  /**
   * The record privileges held in full: not narrowed by a restrict rule of their role nor by a
   * deny rule bound to a held role. Only these count towards the grant ceiling (a manager whose
   * reads are narrowed to some records cannot hand out reads of all of them).
   */
  readonly grantable: readonly ObjectPrivilege[];
  readonly taskPrivileges: ReadonlySet<TaskPrivilege>;
  fields(subjectType: string): FieldAccess;
}
