import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  type Page,
} from '@custos/core';
import { AccessErrors } from '../access.errors';
import {
  type AccessDirectory,
  type AccessSubjects,
  lookUpDirectory,
  lookUpSubjects,
} from '../access.ports';
import type { ObjectPrivilege } from '../access.types';
import { AccessService } from '../abilities/access.service';
import { DelegationCheck } from '../delegation/delegation-check';
import { RecordRule } from '../rules/record-rule.entity';
import { assertWithinCeiling } from './grant-ceiling';
import { RoleAssignment } from './role-assignment.entity';
import type {
  AssignmentDto,
  CreateAssignmentDto,
  CreateRoleDto,
  RoleDto,
  UpdateRoleDto,
} from './role.dto';
import { Role } from './role.entity';

/** Security roles and who holds them; every change audited, bounded by the grant ceiling. */
@Injectable()
export class RoleService implements OnModuleInit {
  private directory!: AccessDirectory;
  private subjects!: AccessSubjects;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.directory = lookUpDirectory(this.moduleRef);
    this.subjects = lookUpSubjects(this.moduleRef);
  }

  async list(query: PageQueryDto): Promise<Page<RoleDto>> {
    const builder = this.transactions.manager
      .createQueryBuilder(Role, 'role')
      .where('role.accountId = :accountId', { accountId: this.context.requireAccountId() });
    return mapPage(await keysetPage(builder, 'role.id', (r) => r.id, query), toRoleDto);
  }

  async get(id: string): Promise<RoleDto> {
    return toRoleDto(await this.find(id));
  }

  async create(input: CreateRoleDto): Promise<RoleDto> {
    const actor = this.context.requireActor();
    this.checkPrivileges(input.privileges);
    assertWithinCeiling(await this.access.accessFor(actor), input.privileges, input.taskPrivileges);
    const now = this.clock.now();
    const role: Role = {
      id: newId(),
      accountId: actor.accountId,
      name: input.name,
      description: input.description ?? '',
      privileges: input.privileges.map(({ objectType, action, level }) => ({
        objectType,
        action,
        level,
      })),
      taskPrivileges: input.taskPrivileges,
      createdAt: now,
      updatedAt: now,
    };
    await this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        await manager.insert(Role, role);
        await this.audit.record({
          action: 'role.created',
          targetType: 'role',
          targetId: role.id,
          metadata: { after: auditView(role) },
        });
      }),
    );
    return toRoleDto(role);
  }

  async update(id: string, input: UpdateRoleDto): Promise<RoleDto> {
    const actor = this.context.requireActor();
    if (input.privileges) {
      this.checkPrivileges(input.privileges);
    }
    assertWithinCeiling(
      await this.access.accessFor(actor),
      input.privileges ?? [],
      input.taskPrivileges ?? [],
    );
    return this.uniqueName(() =>
      this.delegation.checked(async () => {
        const manager = this.transactions.manager;
        const role = await this.find(id);
        const before = auditView(role);
        role.name = input.name ?? role.name;
        role.description = input.description ?? role.description;
        role.privileges =
          input.privileges?.map(({ objectType, action, level }) => ({
            objectType,
            action,
            level,
          })) ?? role.privileges;
        role.taskPrivileges = input.taskPrivileges ?? role.taskPrivileges;
        role.updatedAt = this.clock.now();
        await manager.update(
          Role,
          { id },
          {
            name: role.name,
            description: role.description,
            privileges: role.privileges,
            taskPrivileges: role.taskPrivileges,
            updatedAt: role.updatedAt,
          },
        );
        await this.access.bump(role.accountId);
        await this.assertNoSelfLockout();
        await this.audit.record({
          action: 'role.updated',
          targetType: 'role',
          targetId: id,
          metadata: { before, after: auditView(role) },
        });
        return toRoleDto(role);
      }),
    );
  }

  async remove(id: string): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      const role = await this.find(id);
      await manager.delete(RoleAssignment, { accountId: role.accountId, roleId: id });
      await manager.delete(RecordRule, { accountId: role.accountId, roleId: id });
      await manager.delete(Role, { id });
      await this.access.bump(role.accountId);
      await this.assertNoSelfLockout();
      await this.audit.record({
        action: 'role.deleted',
        targetType: 'role',
        targetId: id,
        metadata: { before: auditView(role) },
      });
    });
  }

  async assignments(roleId: string): Promise<AssignmentDto[]> {
    const role = await this.find(roleId);
    const rows = await this.transactions.manager.find(RoleAssignment, {
      where: { accountId: role.accountId, roleId },
      order: { id: 'ASC' },
    });
    return rows.map(toAssignmentDto);
  }

  /** Gives the role to a user or team; the actor must hold everything the role grants. */
  async assign(roleId: string, input: CreateAssignmentDto): Promise<AssignmentDto> {
    const actor = this.context.requireActor();
    return this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      const role = await this.find(roleId);
      assertWithinCeiling(await this.access.accessFor(actor), role.privileges, role.taskPrivileges);
      if (!(await this.directory.exists(role.accountId, input.principalType, input.principalId))) {
        throw AccessErrors.unknownPrincipal('principalId');
      }
      if (
        await manager.existsBy(RoleAssignment, {
          roleId,
          principalType: input.principalType,
          principalId: input.principalId,
        })
      ) {
        throw AccessErrors.alreadyAssigned();
      }
      const assignment: RoleAssignment = {
        id: newId(),
        accountId: role.accountId,
        roleId,
        principalType: input.principalType,
        principalId: input.principalId,
      };
      await manager.insert(RoleAssignment, assignment);
      await this.access.bump(role.accountId);
      await this.audit.record({
        action: 'role.assigned',
        targetType: 'role',
        targetId: roleId,
        metadata: { after: { principalType: input.principalType, principalId: input.principalId } },
      });
      return toAssignmentDto(assignment);
    }, 'principalId');
  }

  async unassign(roleId: string, assignmentId: string): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      const role = await this.find(roleId);
      const assignment = await manager.findOneBy(RoleAssignment, {
        accountId: role.accountId,
        roleId,
        id: assignmentId,
      });
      if (!assignment) {
        throw AccessErrors.assignmentNotFound();
      }
      await manager.delete(RoleAssignment, { id: assignmentId });
      await this.access.bump(role.accountId);
      await this.assertNoSelfLockout();
      await this.audit.record({
        action: 'role.unassigned',
        targetType: 'role',
        targetId: roleId,
        metadata: {
          before: { principalType: assignment.principalType, principalId: assignment.principalId },
        },
      });
    });
  }

  /** Object types must be the host's, and each (type, action) appears once. */
  private checkPrivileges(privileges: readonly ObjectPrivilege[]): void {
    const known = new Set(this.subjects.subjectTypes());
    const seen = new Set<string>();
    privileges.forEach((p, index) => {
      if (!known.has(p.objectType)) {
        throw AccessErrors.unknownSubject(`privileges[${index}].objectType`, p.objectType);
      }
      const key = `${p.objectType}:${p.action}`;
      if (seen.has(key)) {
        throw CustosError.invalidField(
          'access.duplicate_privilege',
          `privileges[${index}]`,
          `${p.action} on ${p.objectType} is listed twice`,
        );
      }
      seen.add(key);
    });
  }

  /** Refuses a change (rolling it back) that would take the actor's own manage_roles away. */
  private async assertNoSelfLockout(): Promise<void> {
    const actor = this.context.requireActor();
    if (actor.superAdmin) {
      return;
    }
    const after = await this.access.build(actor);
    if (!after.taskPrivileges.has('manage_roles')) {
      throw AccessErrors.selfLockout();
    }
  }

  private async find(id: string): Promise<Role> {
    const role = await this.transactions.manager.findOneBy(Role, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!role) {
      throw AccessErrors.roleNotFound();
    }
    return role;
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw AccessErrors.duplicateRoleName();
      }
      throw error;
    }
  }
}

function auditView(role: Role): Record<string, unknown> {
  return {
    name: role.name,
    description: role.description,
    privileges: role.privileges,
    taskPrivileges: role.taskPrivileges,
  };
}

function toRoleDto(role: Role): RoleDto {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    privileges: role.privileges,
    taskPrivileges: role.taskPrivileges,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}

function toAssignmentDto(a: RoleAssignment): AssignmentDto {
  return { id: a.id, roleId: a.roleId, principalType: a.principalType, principalId: a.principalId };
}
