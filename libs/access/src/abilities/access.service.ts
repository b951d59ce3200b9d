import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { In } from 'typeorm';
import {
  RequestContext,
  TASK_PRIVILEGES,
  TransactionHost,
  type Actor,
  type PrivilegeResolver,
  type TaskPrivilege,
  actsThroughMembership,
  isPartnerAdmin,
  isReadOnly,
  isPrivateApp,
  isSystem,
  isProvisioningClient,
  mayHoldPrivilege,
} from '@custos/core';
import { type AccessDirectory, type DirectoryMember, lookUpDirectory } from '../access.ports';
import { ACCESS_MODULE_OPTIONS, type AccessModuleOptions } from '../access.module-definition';
import { FieldPermission } from '../field-permissions/field-permission.entity';
import { RoleAssignment } from '../roles/role-assignment.entity';
import { Role } from '../roles/role.entity';
import { RecordRule } from '../rules/record-rule.entity';
import { AccessVersion } from './access-version.entity';
import type { ActorAccess } from './actor-access';
import { buildAccess, SUPPORT_TASK_PRIVILEGES, type AccessInputs } from './build-access';

/** What everyone's access in one account is built from, at one moment. */
export interface AccountAccess {
  /** Member's user id → the inputs of their access. */
  readonly inputs: ReadonlyMap<string, AccessInputs>;
  /** Object type → the properties field permissions restrict. */
  readonly restricted: ReadonlyMap<string, ReadonlySet<string>>;
}

interface CacheEntry {
  version: number;
  access: ActorAccess;
}

/**
 * The access of each actor: compiled from roles, rules and field permissions, cached per
 * (account, actor) and rebuilt when the account's access version moves — checked on every
 * request (read at sign-in with the actor, else here), so a change is seen by the next request
 * on every instance. Also the task-privilege resolver.
 */
@Injectable()
export class AccessService implements PrivilegeResolver, OnModuleInit {
  private readonly cache = new Map<string, CacheEntry>();
  private directory!: AccessDirectory;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly moduleRef: ModuleRef,
    @Inject(ACCESS_MODULE_OPTIONS) private readonly options: AccessModuleOptions,
  ) {}

  onModuleInit(): void {
    // The directory is the host's (identity's) and may live in any module: looked up, not imported.
    this.directory = lookUpDirectory(this.moduleRef);
  }

  async hasPrivilege(actor: Actor, privilege: TaskPrivilege): Promise<boolean> {
    return (await this.accessFor(actor)).taskPrivileges.has(privilege);
  }

  async heldPrivileges(actor: Actor): Promise<TaskPrivilege[]> {
    const { taskPrivileges } = await this.accessFor(actor);
    return TASK_PRIVILEGES.filter((p) => taskPrivileges.has(p));
  }

  /** `actor` with the super-admin standing their membership gives them now (see `PrivilegeResolver`). */
  async current(actor: Actor): Promise<Actor> {
    const { superAdmin } = await this.accessFor(actor);
    return superAdmin === actor.superAdmin ? actor : { ...actor, superAdmin };
  }

  /** The actor's access, from the cache when their account's rights have not changed since. */
  async accessFor(actor: Actor): Promise<ActorAccess> {
    const version = await this.currentVersion(actor.accountId);
    const key = `${actor.accountId}:${actor.kind}:${actor.id}:${actor.superAdmin}`;
    const cached = this.cache.get(key);
    if (cached && cached.version === version) {
      return cached.access;
    }
    const access = await this.build(actor);
    if (this.transactions.inTransaction) {
      // Built from reads that may yet roll back (a rolled-back version number comes again).
      return access;
    }
    if (this.cache.size >= (this.options.cacheSize ?? 10_000)) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, { version, access });
    return access;
  }

  /** Builds without the cache; `replaceRole` stands in for the stored role of that id (preview). */
  async build(actor: Actor, overrides: { replaceRole?: Role } = {}): Promise<ActorAccess> {
    const manager = this.transactions.manager;
    const accountId = actor.accountId;
    const [rules, fieldPermissions] = await this.transactions.all(
      () => manager.findBy(RecordRule, { accountId }),
      () => manager.findBy(FieldPermission, { accountId }),
    );
    if (isReadOnly(actor)) {
      // Support staff troubleshoot: they see the account but change nothing, and hold no role.
      return buildAccess({
        superAdmin: false,
        facts: null,
        roles: [],
        rules,
        fieldPermissions,
        readOnly: true,
        taskPrivileges: new Set(SUPPORT_TASK_PRIVILEGES),
      });
    }
    const person = isPrivateApp(actor) || actsThroughMembership(actor) ? actor.userId : null;
    const member = person ? await this.directory.member(accountId, person) : null;
    const held = member ? await this.rolesOf(accountId, member) : [];
    const replacement = overrides.replaceRole;
    const roles = replacement
      ? held.map((role) => (role.id === replacement.id ? replacement : role))
      : held;
    if (isPrivateApp(actor)) {
      // A private app acts for its creator: it works on records as the creator may now, and
      // holds its task-privilege scopes only while the creator holds them too.
      const creator = buildAccess({
        superAdmin: member?.superAdmin ?? false,
        facts: member?.facts ?? null,
        roles,
        rules,
        fieldPermissions,
      });
      const scopes = new Set(
        (actor.scopes ?? []).filter((scope) => creator.taskPrivileges.has(scope)),
      );
      return { ...creator, superAdmin: false, taskPrivileges: scopes };
    }
    // A provisioning token lives only while its creator is an active super admin (checked at each
    // request), so what it does to users and teams is within a super admin's reach.
    if (isSystem(actor) || isProvisioningClient(actor)) {
      return buildAccess({
        superAdmin: true,
        facts: null,
        roles: [],
        rules: [],
        fieldPermissions: [],
      });
    }
    const access = buildAccess({
      // A partner admin is never a super admin, whatever their membership row says.
      superAdmin: !isPartnerAdmin(actor) && (member?.superAdmin ?? false),
      facts: member?.facts ?? null,
      roles,
      rules,
      fieldPermissions,
    });
    // The one ceiling on kinds of actor (partner admins never hold what is withheld from them),
    // so every check of a task privilege, and every grant ceiling built on this access, obeys it.
    return {
      ...access,
      taskPrivileges: new Set(
        [...access.taskPrivileges].filter((privilege) => mayHoldPrivilege(actor, privilege)),
      ),
    };
  }

  /**
   * What every member's access is built from (see `buildAccess`), from one read of the account's
   * roles, assignments, rules, field permissions and directory; and the properties field
   * permissions restrict, per type. Nothing is compiled: callers build only what they need.
   */
  async accountInputs(accountId: string): Promise<AccountAccess> {
    const manager = this.transactions.manager;
    const [members, roles, assignments, rules, fieldPermissions] = await this.transactions.all(
      () => this.directory.members(accountId),
      () => manager.findBy(Role, { accountId }),
      () => manager.findBy(RoleAssignment, { accountId }),
      () => manager.findBy(RecordRule, { accountId }),
      () => manager.findBy(FieldPermission, { accountId }),
    );
    const roleById = new Map(roles.map((role) => [role.id, role]));
    const heldBy = new Map<string, string[]>();
    for (const a of assignments) {
      const key = `${a.principalType}:${a.principalId}`;
      heldBy.set(key, [...(heldBy.get(key) ?? []), a.roleId]);
    }
    const inputs = new Map<string, AccessInputs>();
    for (const member of members) {
      const roleIds = new Set([
        ...(heldBy.get(`user:${member.facts.id}`) ?? []),
        ...member.facts.teamIds.flatMap((team) => heldBy.get(`team:${team}`) ?? []),
      ]);
      inputs.set(member.facts.id, {
        superAdmin: member.superAdmin,
        facts: member.facts,
        roles: [...roleIds].sort().flatMap((id) => roleById.get(id) ?? []),
        rules,
        fieldPermissions,
      });
    }
    const restricted = new Map<string, Set<string>>();
    for (const permission of fieldPermissions) {
      const properties = restricted.get(permission.objectType) ?? new Set<string>();
      restricted.set(permission.objectType, properties.add(permission.property));
    }
    return { inputs, restricted };
  }

  /**
   * Locks the account's access version row for the rest of the transaction (PostgreSQL; SQLite
   * transactions are serialised already), so administrative changes of one account run one
   * after the other and each is checked against the state the previous one left.
   */
  async lock(accountId: string): Promise<void> {
    await this.ensureVersionRow(accountId);
    if (this.transactions.isPostgres) {
      await this.transactions.manager
        .createQueryBuilder(AccessVersion, 'v')
        .where('v.accountId = :accountId', { accountId })
        .setLock('pessimistic_write')
        .getOne();
    }
  }

  /** The roles a member holds directly or through one of their teams. */
  async rolesOf(accountId: string, member: DirectoryMember): Promise<Role[]> {
    const manager = this.transactions.manager;
    const assignments = await manager.find(RoleAssignment, {
      where: [
        { accountId, principalType: 'user', principalId: member.facts.id },
        ...(member.facts.teamIds.length > 0
          ? [
              {
                accountId,
                principalType: 'team' as const,
                principalId: In([...member.facts.teamIds]),
              },
            ]
          : []),
      ],
    });
    const roleIds = [...new Set(assignments.map((a) => a.roleId))];
    return roleIds.length > 0 ? manager.findBy(Role, { accountId, id: In(roleIds) }) : [];
  }

  /** Raises the account's access version in the current transaction: every cached access of it is stale. */
  async bump(accountId: string): Promise<void> {
    this.context.forgetAccessVersion();
    await this.ensureVersionRow(accountId);
    await this.transactions.manager.increment(AccessVersion, { accountId }, 'version', 1);
  }

  private async ensureVersionRow(accountId: string): Promise<void> {
    await this.transactions.manager
      .createQueryBuilder()
      .insert()
      .into(AccessVersion)
      .values({ accountId, version: 0 })
      .orIgnore()
      .execute();
  }

  /**
   * The account's access version: a key for caches of anything its rights changes invalidate.
   * Outside a transaction, the one read at sign-in when there was one (no round trip); inside,
   * the transaction's own, which may have been raised by it.
   */
  async currentVersion(accountId: string): Promise<number> {
    if (!this.transactions.inTransaction) {
      const remembered = this.context.rememberedAccessVersion(accountId);
      if (remembered !== undefined) {
        return remembered;
      }
    }
    const row = await this.transactions.manager.findOneBy(AccessVersion, { accountId });
    return row?.version ?? 0;
  }
}
