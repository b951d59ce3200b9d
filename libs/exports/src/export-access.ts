import { Injectable } from '@nestjs/common';
import { AccessService } from '@custos/access';
import {
  actorFromSnapshot,
  isMemberInPerson,
  isSnapshotOf,
  isSuperAdminInPerson,
  type Actor,
} from '@custos/core';
import type { DataExport } from './export.entity';

/**
 * The requester of an export, from its row: who asked, as the job keeps it. Its super-admin flag is
 * the one of the moment it asked: a run takes {@link ExportAccess.requesterNow} instead.
 */
export function requesterOf(entity: DataExport): Actor {
  return actorFromSnapshot(entity.requester, entity.accountId, entity.requesterScopes);
}

/** Whether `actor` is the one who asked for the export (a private app is not its creator). */
export function isRequester(actor: Actor, entity: DataExport): boolean {
  return isSnapshotOf(entity.requester, entity.accountId, actor);
}

/** Who may do what with exports beyond their own, from the actor's task privileges as they are now. */
@Injectable()
export class ExportAccess {
  constructor(private readonly access: AccessService) {}

  /**
   * The actor an export runs as: its requester from its row (never the actor its job names), with
   * the super-admin standing their membership gives them now. The row's snapshot keeps who asked;
   * a super admin demoted since must not run with a super admin's reach (skipping approval,
   * `super_admins` sensitive properties, others' private segments), nor a flag set on the row.
   */
  requesterNow(entity: DataExport): Promise<Actor> {
    return this.access.current(requesterOf(entity));
  }

  /** May export at all (the `export` privilege). */
  mayExport(actor: Actor): Promise<boolean> {
    return this.access.hasPrivilege(actor, 'export');
  }

  /** Skips approval: a super admin in person, or a holder of `export_without_approval`. */
  async mayBypassApproval(actor: Actor): Promise<boolean> {
    return (
      isSuperAdminInPerson(actor) ||
      (await this.access.hasPrivilege(actor, 'export_without_approval'))
    );
  }

  /**
   * Decides approval requests and reads the whole export log: a person holding `approve_exports`
   * (super admins hold every privilege).
   */
  async mayApprove(actor: Actor): Promise<boolean> {
    return isMemberInPerson(actor) && this.access.hasPrivilege(actor, 'approve_exports');
  }
}
