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

/** The requester an export runs as, from its row: identity only; rights are read when it runs. */
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
