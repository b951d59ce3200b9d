import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { subject as asSubject } from '@casl/ability';
import { packRules } from '@casl/ability/extra';
import { RequestContext, TransactionHost, type Actor } from '@custos/core';
import { AccessErrors } from '../access.errors';
import {
  type AccessDirectory,
  type AccessSubjects,
  lookUpDirectory,
  lookUpSubjects,
} from '../access.ports';
import type { ObjectPrivilege } from '../access.types';
import { AccessService } from '../abilities/access.service';
import type { ActorAccess } from '../abilities/actor-access';
import type { AccessAbility } from '../conditions/access-ability';
import { subjectFields } from '../conditions/condition-language';
import { RoleAssignment } from '../roles/role-assignment.entity';
import { Role } from '../roles/role.entity';
import { FieldReadability } from '../fields/field-readability';
import { plainRules } from './plain-rules';
import type {
  DecisionDto,
  ExplainDto,
  ExplanationDto,
  PermissionsDto,
  PreviewDto,
  PreviewResultDto,
} from './explain.dto';

/** Why a user may or may not do something, what a role change would change, and one's own rules. */
@Injectable()
export class ExplainService implements OnModuleInit {
  private directory!: AccessDirectory;
  private subjects!: AccessSubjects;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
    private readonly readability: FieldReadability,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.directory = lookUpDirectory(this.moduleRef);
    this.subjects = lookUpSubjects(this.moduleRef);
  }

  async myPermissions(): Promise<PermissionsDto> {
    const access = await this.access.accessFor(this.context.requireActor());
    return {
      superAdmin: access.superAdmin,
      taskPrivileges: [...access.taskPrivileges].sort(),
      // Plain field operators only, so that CASL's stock createMongoAbility evaluates them right.
      rules: packRules(plainRules(access.ability.rules)),
    };
  }

  /**
   * Answers only about what the caller may read: a record they may not read is "not found", a
   * property they may not read is "not a property", and a decision that would rest on a rule
   * over a field they may not read is refused (403 naming it) rather than given.
   */
  async explain(input: ExplainDto): Promise<ExplanationDto> {
    const accountId = this.context.requireAccountId();
    const caller = await this.access.accessFor(this.context.requireActor());
    const target = await this.actorOf(accountId, input.userId);
    const access = await this.access.build(target);
    if (!this.subjects.subjectTypes().includes(input.objectType)) {
      throw AccessErrors.unknownSubject('objectType', input.objectType);
    }
    const readable = await this.readability.readableBy(accountId, input.objectType, caller);
    let record: ReturnType<typeof asSubject> | string = input.objectType;
    if (input.recordId) {
      const fields = await this.subjects.record(accountId, input.objectType, input.recordId);
      const found = fields ? asSubject(input.objectType, subjectFields(fields)) : null;
      if (!found || !caller.ability.can('read', found)) {
        throw AccessErrors.recordNotFound();
      }
      record = found;
    }
    if (input.property !== undefined && !readable.has(input.property)) {
      throw AccessErrors.explainUnknownProperty(input.objectType);
    }
    if (access.superAdmin) {
      return {
        allowed: true,
        decidedBy: { kind: 'super_admin' },
        detail: 'Super admins may do everything in their account.',
      };
    }
    if (input.property) {
      const fieldAccess = access.fields(input.objectType);
      const allowed =
        input.action === 'read'
          ? fieldAccess.canView(input.property)
          : fieldAccess.canEdit(input.property);
      if (!allowed) {
        return {
          allowed: false,
          decidedBy: { kind: 'field_permission', property: input.property },
          detail: `"${input.property}" is restricted by field permissions, and the user is not on its ${input.action === 'read' ? 'view' : 'edit'} list.`,
        };
      }
    }
    const rule =
      typeof record === 'string'
        ? access.ability.relevantRuleFor(input.action, record)
        : decidingRule(access.ability, input.action, input.objectType, record, readable);
    if (!rule) {
      const candidates = access.privileges.filter(
        (p) => p.objectType === input.objectType && p.action === input.action,
      );
      return {
        allowed: false,
        decidedBy: { kind: 'no_grant' },
        detail:
          candidates.length === 0
            ? `No role of the user grants "${input.action}" on ${input.objectType}.`
            : `The user's roles grant "${input.action}" on ${input.objectType} at ${candidates.map((c) => c.level).join(', ')}, but the record is outside those levels or their record rules.`,
      };
    }
    const [kind, id, level] = (rule.reason ?? '').split(':');
    const decidedBy: DecisionDto =
      kind === 'deny' ? { kind: 'deny_rule', ruleId: id } : { kind: 'role', roleId: id, level };
    return {
      allowed: !rule.inverted,
      decidedBy,
      detail: rule.inverted
        ? `Deny rule ${id} forbids it.`
        : `Role ${id} grants "${input.action}" on ${input.objectType} at level ${level}${input.recordId ? ', and the record matches' : ''}.`,
    };
  }

  /** What the proposed change of a role would change for each user holding it, before it is saved. */
  async preview(input: PreviewDto): Promise<PreviewResultDto> {
    const accountId = this.context.requireAccountId();
    const manager = this.transactions.manager;
    const role = await manager.findOneBy(Role, { accountId, id: input.roleId });
    if (!role) {
      throw AccessErrors.roleNotFound();
    }
    const proposed: Role = {
      ...role,
      privileges: input.privileges ?? role.privileges,
      taskPrivileges: input.taskPrivileges ?? role.taskPrivileges,
    };
    const holders = new Set<string>();
    for (const assignment of await manager.findBy(RoleAssignment, { accountId, roleId: role.id })) {
      const users =
        assignment.principalType === 'user'
          ? [assignment.principalId]
          : await this.directory.teamMembers(accountId, assignment.principalId);
      users.forEach((u) => holders.add(u));
    }
    const users: PreviewResultDto['users'] = [];
    for (const userId of [...holders].sort()) {
      const actor = await this.actorOf(accountId, userId).catch(() => null);
      if (!actor || actor.superAdmin) {
        continue;
      }
      const before = summarize(await this.access.build(actor));
      const after = summarize(await this.access.build(actor, { replaceRole: proposed }));
      const gains = {
        privileges: difference(after.privileges, before.privileges),
        taskPrivileges: difference(after.tasks, before.tasks),
      };
      const loses = {
        privileges: difference(before.privileges, after.privileges),
        taskPrivileges: difference(before.tasks, after.tasks),
      };
      if (
        gains.privileges.length +
          gains.taskPrivileges.length +
          loses.privileges.length +
          loses.taskPrivileges.length >
        0
      ) {
        users.push({ userId, gains, loses });
      }
    }
    return { users };
  }

  private async actorOf(accountId: string, userId: string): Promise<Actor> {
    const member = await this.directory.member(accountId, userId);
    if (!member) {
      throw AccessErrors.userNotFound();
    }
    return {
      kind: 'user',
      id: userId,
      userId,
      accountId,
      label: userId,
      superAdmin: member.superAdmin,
    };
  }
}

/**
 * The rule CASL decides `action` on `record` by (as `relevantRuleFor`), walking the rules in
 * CASL's order; a rule it must test on the way that names a field the caller may not read is
 * refused, since whether it matched would tell that field's value.
 */
function decidingRule(
  ability: AccessAbility,
  action: string,
  subjectType: string,
  record: ReturnType<typeof asSubject>,
  readable: ReadonlySet<string>,
): ReturnType<AccessAbility['relevantRuleFor']> {
  for (const rule of ability.rulesFor(action, subjectType)) {
    const hidden = conditionFields(rule.conditions ?? {}).find((field) => !readable.has(field));
    if (hidden !== undefined) {
      throw AccessErrors.explainHiddenCondition(hidden);
    }
    if (rule.matchesConditions(record)) {
      return rule;
    }
  }
  return null;
}

/** The fields a prepared condition tests, at any depth of `$and`, `$or`, `$nor`. */
function conditionFields(condition: object): string[] {
  return Object.entries(condition).flatMap(([key, value]) =>
    key === '$and' || key === '$or' || key === '$nor'
      ? (value as object[]).flatMap(conditionFields)
      : [key],
  );
}

/** The widest level per (object type, action), and the task privileges. */
function summarize(access: ActorAccess): { privileges: string[]; tasks: string[] } {
  const rank = ['own', 'team', 'business_unit', 'business_unit_tree', 'account'];
  const widest = new Map<string, ObjectPrivilege>();
  for (const p of access.privileges) {
    const key = `${p.objectType}:${p.action}`;
    const current = widest.get(key);
    if (!current || rank.indexOf(p.level) > rank.indexOf(current.level)) {
      widest.set(key, p);
    }
  }
  return {
    privileges: [...widest.values()].map((p) => `${p.action} ${p.objectType} at ${p.level}`).sort(),
    tasks: [...access.taskPrivileges].sort(),
  };
}

function difference<T>(a: readonly T[], b: readonly T[]): T[] {
  return a.filter((x) => !b.includes(x));
}
