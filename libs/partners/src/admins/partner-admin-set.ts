import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  ACCESS_SUBJECTS,
  AccessService,
  RECORD_ACTIONS,
  Role,
  RoleAssignment,
  type AccessSubjects,
  type ObjectPrivilege,
} from '@custos/access';
import { AuditService } from '@custos/audit';
import { assignRole } from './partner-membership';
import {
  Clock,
  TASK_PRIVILEGES,
  TransactionHost,
  mayHoldPrivilege,
  newId,
  type TaskPrivilege,
} from '@custos/core';

/** The name of a partner admin's own role in an account (one per partner admin). */
export function partnerRoleName(userId: string): string {
  return `Partner admin ${userId}`;
}

/**
 * The partner-admin permission set: every record privilege at account level and every task
 * privilege a partner admin may hold at all (core's `mayHoldPrivilege` — the withheld ones are a
 * ceiling whatever roles say). Applied at creation as the partner admin's own role, which the
 * account's super admins then edit like any role ("applied at creation, then editable").
 */
@Injectable()
export class PartnerAdminSet implements OnModuleInit {
  private subjects: AccessSubjects | null = null;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    try {
      this.subjects = this.moduleRef.get<AccessSubjects>(ACCESS_SUBJECTS, { strict: false });
    } catch {
      // A host without record types: the set holds task privileges only.
      this.subjects = null;
    }
  }

  /** What the set grants now (task privileges are read when called: every lib has defined its own). */
  contents(): { privileges: ObjectPrivilege[]; taskPrivileges: TaskPrivilege[] } {
    const types = this.subjects?.subjectTypes() ?? [];
    return {
      privileges: types.flatMap((objectType) =>
        RECORD_ACTIONS.map((action) => ({ objectType, action, level: 'account' as const })),
      ),
      taskPrivileges: TASK_PRIVILEGES.filter((p) => mayHoldPrivilege({ kind: 'partner_admin' }, p)),
    };
  }

  /** Gives `userId` the set as their own role, in the caller's transaction. */
  async apply(accountId: string, userId: string): Promise<Role> {
    const manager = this.transactions.manager;
    const now = this.clock.now();
    await this.remove(accountId, userId);
    const role: Role = {
      id: newId(),
      accountId,
      name: partnerRoleName(userId),
      description: 'The partner-admin permission set, applied when this partner admin was added.',
      ...this.contents(),
      createdAt: now,
      updatedAt: now,
    };
    await manager.insert(Role, role);
    await assignRole(manager, accountId, role.id, userId);
    await this.access.bump(accountId);
    await this.audit.record({
      action: 'role.created',
      targetType: 'role',
      targetId: role.id,
      metadata: {
        after: {
          name: role.name,
          privileges: role.privileges.length,
          taskPrivileges: role.taskPrivileges,
        },
        partnerAdminUserId: userId,
      },
    });
    return role;
  }

  /** Removes the partner admin's own role and every assignment of it. */
  async remove(accountId: string, userId: string): Promise<void> {
    const manager = this.transactions.manager;
    const role = await manager.findOneBy(Role, { accountId, name: partnerRoleName(userId) });
    if (role) {
      await manager.delete(RoleAssignment, { accountId, roleId: role.id });
      await manager.delete(Role, { accountId, id: role.id });
      await this.access.bump(accountId);
    }
  }
}
