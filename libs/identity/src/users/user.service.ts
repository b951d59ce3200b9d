import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { In, IsNull, type EntityManager } from 'typeorm';
import { AccessService, DelegationCheck } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  escapeLike,
  isProvisioningClient,
  isSuperAdminInPerson,
  mayRemoveSuperAdmins,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  RequestContext,
  TransactionHost,
  type Actor,
  type Page,
} from '@custos/core';
import { SuperAdminInvariant, lockAccount } from '../accounts/super-admin-invariant';
import { PasswordHasher } from '../auth/password-hasher';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { IdentityErrors } from '../identity.errors';
import { TeamMember } from '../teams/team-member.entity';
import { Team } from '../teams/team.entity';
import { Membership } from './membership.entity';
import { lookUpTemplates, type MemberTemplate } from './member-templates';
import { membershipStatusAt } from './partner-access-term';
import { LOGIN_OF_MEMBERSHIP, shownDisplayName } from './shown-member';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './user.dto';
import { User } from './user.entity';

interface MemberRow {
  membership: Membership;
  user: User;
}

/** Users of the actor's account: memberships joined with the global login. */
@Injectable()
export class UserService implements OnModuleInit {
  private templates: readonly MemberTemplate[] = [];

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly superAdmins: SuperAdminInvariant,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.templates = lookUpTemplates(this.moduleRef);
  }

  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const accountId = this.context.requireAccountId();
    const builder = this.transactions.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoinAndMapOne('m.user', User, 'u', `u.id = ${LOGIN_OF_MEMBERSHIP}`)
      .where('m.accountId = :accountId', { accountId });
    if (query.email) {
      builder.andWhere("u.email LIKE :prefix ESCAPE '\\'", {
        prefix: `${escapeLike(query.email)}%`,
      });
    }
    const page = await keysetPage(builder, 'm.id', (m) => m.id, query);
    const teamIds = await this.teamIdsOf(
      this.transactions.manager,
      accountId,
      page.results.map((m) => m.userId),
    );
    return mapPage(page, (m) =>
      toUserDto(
        { membership: m, user: (m as Membership & { user: User }).user },
        teamIds.get(m.userId) ?? [],
        this.clock.now(),
      ),
    );
  }

  async get(userId: string): Promise<UserDto> {
    const accountId = this.context.requireAccountId();
    const row = await this.findMember(this.transactions.manager, accountId, userId);
    const teamIds = await this.teamIdsOf(this.transactions.manager, accountId, [userId]);
    return toUserDto(row, teamIds.get(userId) ?? [], this.clock.now());
  }

  /**
   * Invites a person: a new membership with status `invited`, which gives no access until they
   * accept by signing in. A new email gets a login (with `password`, if given); an existing login
   * keeps its own password and name, and the answer does not tell the two cases apart.
   */
  async create(input: CreateUserDto): Promise<UserDto> {
    const actor = this.context.requireActor();
    if (input.superAdmin && !isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins can make other users super admins.',
        {
          errors: [{ field: 'superAdmin', message: 'only super admins may set this' }],
        },
      );
    }
    const template =
      input.template === undefined ? null : this.templates.find((t) => t.name === input.template);
    if (template === undefined) {
      throw IdentityErrors.unknownTemplate(this.templates.map((t) => t.name));
    }
    const passwordHash = input.password ? await this.passwords.hash(input.password) : null;
    if (template) {
      return this.invite(actor.accountId, input, passwordHash, template);
    }
    try {
      return await this.invite(actor.accountId, input, passwordHash);
    } catch (error) {
      if (!isUniqueViolation(error)) {
        throw error;
      }
      // Another account created the login of this email meanwhile: invite that login instead.
      // A second violation is a concurrent invitation to this very account.
      try {
        return await this.invite(actor.accountId, input, passwordHash);
      } catch (retryError) {
        throw isUniqueViolation(retryError) ? IdentityErrors.alreadyMember() : retryError;
      }
    }
  }

  /** One attempt of {@link create}, in its own transaction. */
  private invite(
    accountId: string,
    input: CreateUserDto,
    passwordHash: string | null,
    template: MemberTemplate | null = null,
  ): Promise<UserDto> {
    const now = this.clock.now();
    return this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // Serialised with deletion of the business unit and teams the user is placed in.
      await lockAccount(manager, accountId);
      let login = await manager.findOneBy(User, { email: input.email });
      // A template names a known person (e.g. a partner employee): they join at once, under their
      // own id, and its refusal says why (which an invitation never does).
      const templated = template ? await template.admit(accountId, login) : null;
      if (login && (await this.holdsPlaceIn(manager, accountId, login.id))) {
        throw IdentityErrors.alreadyMember();
      }
      // A fresh id either way: the login's own id (UUIDv7) would tell when it was created.
      const userId = newId();
      if (!login) {
        login = manager.create(User, {
          id: userId,
          email: input.email,
          displayName: input.displayName,
          passwordHash,
          credentialGeneration: 0,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(User, login);
      }
      const businessUnitId = await this.resolveBusinessUnit(
        manager,
        accountId,
        input.businessUnitId,
      );
      const membership = manager.create(Membership, {
        id: newId(),
        accountId,
        userId: templated ? login.id : userId,
        superAdmin: templated ? false : (input.superAdmin ?? false),
        status: templated ? 'active' : 'invited',
        invitedLoginId: templated ? null : login.id,
        invitedDisplayName: templated ? null : input.displayName,
        credentialGeneration: 0,
        businessUnitId,
        partnerFirmId: null,
        partnerAccessExpiresAt: null,
        partnerAccessExtendDays: null,
        ...templated,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(Membership, membership);
      if (template) {
        await template.applied(membership, login);
      }
      const teamIds = input.teamIds ?? [];
      await this.joinTeams(manager, accountId, membership.userId, teamIds, now);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'user.added',
        targetType: 'user',
        targetId: membership.userId,
        metadata: {
          after: {
            ...(template ? { template: template.name } : {}),
            status: membership.status,
            // The user is the event's target, by id: their email and name stay out of the
            // hash-chained log, where erasing them later would break the chain.
            superAdmin: membership.superAdmin,
            businessUnitId,
            teamIds,
          },
        },
      });
      return toUserDto({ membership, user: login }, teamIds, now);
    }, 'teamIds');
  }

  /** Whether the login is a member of the account or invited to it. */
  private holdsPlaceIn(
    manager: EntityManager,
    accountId: string,
    loginId: string,
  ): Promise<boolean> {
    return manager.exists(Membership, {
      where: [
        { accountId, userId: loginId },
        { accountId, invitedLoginId: loginId },
      ],
    });
  }

  async update(userId: string, input: UpdateUserDto): Promise<UserDto> {
    const actor = this.context.requireActor();
    if (input.superAdmin !== undefined && !isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins can grant or revoke super admin.',
        {
          errors: [{ field: 'superAdmin', message: 'only super admins may set this' }],
        },
      );
    }
    if (input.businessUnitId !== undefined && actor.userId === userId && !actor.superAdmin) {
      // Business-unit access levels follow one's unit: moving oneself would widen one's own rights.
      throw new CustosError(
        'forbidden',
        'identity.self_move',
        'You cannot move yourself to another business unit; ask another user manager.',
        {
          errors: [
            { field: 'businessUnitId', message: 'you cannot change your own business unit' },
          ],
        },
      );
    }
    return this.delegation.checked(
      async () => {
        const manager = this.transactions.manager;
        const losesSuperAdmin = input.superAdmin === false || input.status === 'deactivated';
        if (losesSuperAdmin || input.superAdmin === true || input.businessUnitId !== undefined) {
          await lockAccount(manager, actor.accountId);
        }
        const row = await this.findMember(manager, actor.accountId, userId);
        const { membership } = row;
        const before = {
          superAdmin: membership.superAdmin,
          status: membership.status,
          businessUnitId: membership.businessUnitId,
        };
        if (input.status !== undefined && membership.status === 'invited') {
          throw IdentityErrors.invitationPending();
        }
        if (losesSuperAdmin) {
          assertMayRemoveSuperAdmin(actor, membership, 'status');
          await this.superAdmins.assertAnotherRemains(membership);
        }
        if (input.status === 'active') {
          assertMayRestoreSuperAdmin(actor, membership);
        }
        const now = this.clock.now();
        if (input.businessUnitId !== undefined) {
          membership.businessUnitId = await this.resolveBusinessUnit(
            manager,
            actor.accountId,
            input.businessUnitId,
          );
        }
        // Deactivation and losing super admin end the person's tokens here; a reactivation or a
        // new grant does not bring them back.
        if (before.status !== 'deactivated' && input.status === 'deactivated') {
          membership.credentialGeneration += 1;
        }
        if (before.superAdmin && input.superAdmin === false) {
          membership.credentialGeneration += 1;
        }
        if (input.superAdmin !== undefined) {
          membership.superAdmin = input.superAdmin;
        }
        if (input.status !== undefined) {
          membership.status = input.status;
        }
        membership.updatedAt = now;
        await manager.update(
          Membership,
          { id: membership.id },
          {
            superAdmin: membership.superAdmin,
            status: membership.status,
            businessUnitId: membership.businessUnitId,
            credentialGeneration: membership.credentialGeneration,
            updatedAt: now,
          },
        );
        const after = {
          superAdmin: membership.superAdmin,
          status: membership.status,
          businessUnitId: membership.businessUnitId,
        };
        await this.access.bump(actor.accountId);
        await this.audit.record({
          action: 'user.updated',
          targetType: 'user',
          targetId: membership.userId,
          metadata: changes(before, after),
        });
        if (before.superAdmin !== after.superAdmin) {
          await this.audit.record({
            action: after.superAdmin ? 'user.super_admin_granted' : 'user.super_admin_revoked',
            targetType: 'user',
            targetId: membership.userId,
            metadata: {},
          });
        }
        const teamIds = await this.teamIdsOf(manager, actor.accountId, [membership.userId]);
        return toUserDto(row, teamIds.get(membership.userId) ?? [], now);
      },
      input.businessUnitId !== undefined ? 'businessUnitId' : 'status',
    );
  }

  /** Removes the user from this account (their login and other accounts stay). */
  async remove(userId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      await lockAccount(manager, accountId);
      const { membership } = await this.findMember(manager, accountId, userId);
      assertMayRemoveSuperAdmin(this.context.requireActor(), membership);
      await this.superAdmins.assertAnotherRemains(membership);
      await manager.delete(TeamMember, { accountId, userId });
      await manager.delete(Membership, { id: membership.id });
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'user.removed',
        targetType: 'user',
        targetId: membership.userId,
        metadata: { before: { superAdmin: membership.superAdmin } },
      });
    });
  }

  private async findMember(
    manager: EntityManager,
    accountId: string,
    userId: string,
  ): Promise<MemberRow> {
    const membership = await manager.findOneBy(Membership, { accountId, userId });
    const user = membership
      ? await manager.findOneBy(User, { id: membership.invitedLoginId ?? membership.userId })
      : null;
    if (!membership || !user) {
      throw IdentityErrors.userNotFound();
    }
    return { membership, user };
  }

  private async resolveBusinessUnit(
    manager: EntityManager,
    accountId: string,
    businessUnitId: string | undefined,
  ): Promise<string> {
    const unit = businessUnitId
      ? await manager.findOneBy(BusinessUnit, { accountId, id: businessUnitId })
      : await manager.findOneBy(BusinessUnit, { accountId, parentId: IsNull() });
    if (!unit) {
      throw CustosError.invalidField(
        'identity.business_unit_not_found',
        'businessUnitId',
        'no such business unit in this account',
      );
    }
    return unit.id;
  }

  private async joinTeams(
    manager: EntityManager,
    accountId: string,
    userId: string,
    teamIds: string[],
    now: Date,
  ): Promise<void> {
    if (teamIds.length === 0) {
      return;
    }
    const found = await manager.findBy(Team, { accountId, id: In(teamIds) });
    const missing = teamIds.findIndex((id) => !found.some((team) => team.id === id));
    if (missing >= 0) {
      throw CustosError.invalidField(
        'identity.team_not_found',
        `teamIds[${missing}]`,
        'no such team in this account',
      );
    }
    await manager.insert(
      TeamMember,
      teamIds.map((teamId) => ({ teamId, userId, accountId, createdAt: now })),
    );
  }

  /** Team ids of several users in one query (no N+1 on list pages). */
  private async teamIdsOf(
    manager: EntityManager,
    accountId: string,
    userIds: string[],
  ): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (userIds.length === 0) {
      return result;
    }
    const rows = await manager.find(TeamMember, {
      where: { accountId, userId: In(userIds) },
      order: { teamId: 'ASC' },
    });
    for (const row of rows) {
      result.set(row.userId, [...(result.get(row.userId) ?? []), row.teamId]);
    }
    return result;
  }
}

/**
 * A user as the account sees them. Until the person accepts, only what the inviter typed shows
 * (never the login's own name or dates) under an id made for the invitation, so an invitation
 * reads the same whether the login was new or not. A partner admin whose access has come to
 * its end shows as deactivated even before anything marks it.
 */
function toUserDto({ membership, user }: MemberRow, teamIds: string[], now: Date): UserDto {
  const invited = membership.invitedLoginId !== null;
  return {
    id: membership.userId,
    email: user.email,
    displayName: shownDisplayName(membership, user),
    superAdmin: membership.superAdmin,
    status: membershipStatusAt(membership, now),
    businessUnitId: membership.businessUnitId,
    teamIds,
    createdAt: membership.createdAt.toISOString(),
    updatedAt: (invited || membership.updatedAt > user.updatedAt
      ? membership.updatedAt
      : user.updatedAt
    ).toISOString(),
  };
}

/** Before/after of the fields that changed, for the audit trail. */
export function changes<T extends Record<string, unknown>>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T> } {
  const changed = Object.keys(after).filter((key) => before[key] !== after[key]);
  return {
    before: Object.fromEntries(changed.map((key) => [key, before[key]])) as Partial<T>,
    after: Object.fromEntries(changed.map((key) => [key, after[key]])) as Partial<T>,
  };
}

/**
 * A deactivated super admin comes back a super admin, so only a super admin in person brings one
 * back. The grant ceiling refuses it to user managers (the gain is `super_admin`); a provisioning
 * token, whose access is a super admin's and which that check therefore skips, is refused here —
 * else one leaked token would restore a super admin another super admin had switched off.
 */
function assertMayRestoreSuperAdmin(
  actor: Actor,
  membership: Pick<Membership, 'superAdmin' | 'status'>,
): void {
  if (membership.superAdmin && membership.status !== 'active' && isProvisioningClient(actor)) {
    throw IdentityErrors.superAdminRequired(
      'Only super admins can reactivate a super admin.',
      'status',
    );
  }
}

/**
 * Only a super admin in person deactivates or removes a super admin: a user manager — a partner
 * admin included — never takes an account's super admins away.
 */
function assertMayRemoveSuperAdmin(
  actor: Actor,
  membership: Pick<Membership, 'superAdmin' | 'status'>,
  field?: string,
): void {
  if (membership.superAdmin && membership.status === 'active' && !mayRemoveSuperAdmins(actor)) {
    throw IdentityErrors.superAdminRequired(
      'Only super admins can deactivate or remove a super admin.',
      field,
    );
  }
}
