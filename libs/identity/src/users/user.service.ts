import { Injectable } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import { AccessService, DelegationCheck } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  escapeLike,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  RequestContext,
  TransactionHost,
  type Page,
} from '@custos/core';
import { assertAnotherSuperAdmin, lockAccount } from '../accounts/account-lock';
import { PasswordHasher } from '../auth/password-hasher';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { IdentityErrors } from '../identity.errors';
import { TeamMember } from '../teams/team-member.entity';
import { Team } from '../teams/team.entity';
import { Membership } from './membership.entity';
import type { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './user.dto';
import { User } from './user.entity';

interface MemberRow {
  membership: Membership;
  user: User;
}

/** Users of the actor's account: memberships joined with the global login. */
@Injectable()
export class UserService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async list(query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const accountId = this.context.requireAccountId();
    const builder = this.transactions.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoinAndMapOne('m.user', User, 'u', 'u.id = m.userId')
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
      ),
    );
  }

  async get(userId: string): Promise<UserDto> {
    const accountId = this.context.requireAccountId();
    const row = await this.findMember(this.transactions.manager, accountId, userId);
    const teamIds = await this.teamIdsOf(this.transactions.manager, accountId, [userId]);
    return toUserDto(row, teamIds.get(userId) ?? []);
  }

  async create(input: CreateUserDto): Promise<UserDto> {
    const actor = this.context.requireActor();
    if (input.superAdmin && !(actor.kind === 'user' && actor.superAdmin)) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins can make other users super admins.',
        {
          errors: [{ field: 'superAdmin', message: 'only super admins may set this' }],
        },
      );
    }
    const passwordHash = input.password ? await this.passwords.hash(input.password) : null;
    const now = this.clock.now();
    try {
      return await this.delegation.checked(async () => {
        const manager = this.transactions.manager;
        // Serialised with deletion of the business unit and teams the user is placed in.
        await lockAccount(manager, actor.accountId);
        let user = await manager.findOneBy(User, { email: input.email });
        if (user && passwordHash) {
          throw CustosError.invalidField(
            'identity.login_exists',
            'password',
            'this email already has a login; omit the password',
          );
        }
        if (!user) {
          user = manager.create(User, {
            id: newId(),
            email: input.email,
            displayName: input.displayName,
            passwordHash,
            createdAt: now,
            updatedAt: now,
          });
          await manager.insert(User, user);
        }
        if (await manager.existsBy(Membership, { accountId: actor.accountId, userId: user.id })) {
          throw IdentityErrors.alreadyMember();
        }
        const businessUnitId = await this.resolveBusinessUnit(
          manager,
          actor.accountId,
          input.businessUnitId,
        );
        const membership = manager.create(Membership, {
          id: newId(),
          accountId: actor.accountId,
          userId: user.id,
          superAdmin: input.superAdmin ?? false,
          status: 'active',
          businessUnitId,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(Membership, membership);
        const teamIds = input.teamIds ?? [];
        await this.joinTeams(manager, actor.accountId, user.id, teamIds, now);
        await this.access.bump(actor.accountId);
        await this.audit.record({
          action: 'user.added',
          targetType: 'user',
          targetId: user.id,
          metadata: {
            after: {
              email: user.email,
              displayName: user.displayName,
              superAdmin: membership.superAdmin,
              businessUnitId,
              teamIds,
            },
          },
        });
        return toUserDto({ membership, user }, teamIds);
      }, 'teamIds');
    } catch (error) {
      if (isUniqueViolation(error)) {
        // A concurrent request added the same email or membership first.
        throw IdentityErrors.alreadyMember();
      }
      throw error;
    }
  }

  async update(userId: string, input: UpdateUserDto): Promise<UserDto> {
    const actor = this.context.requireActor();
    if (input.superAdmin !== undefined && !(actor.kind === 'user' && actor.superAdmin)) {
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
        const { membership, user } = row;
        const before = {
          superAdmin: membership.superAdmin,
          status: membership.status,
          businessUnitId: membership.businessUnitId,
        };
        if (losesSuperAdmin && membership.superAdmin && membership.status === 'active') {
          await assertAnotherSuperAdmin(manager, actor.accountId, membership.id);
        }
        const now = this.clock.now();
        if (input.businessUnitId !== undefined) {
          membership.businessUnitId = await this.resolveBusinessUnit(
            manager,
            actor.accountId,
            input.businessUnitId,
          );
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
          targetId: user.id,
          metadata: changes(before, after),
        });
        if (before.superAdmin !== after.superAdmin) {
          await this.audit.record({
            action: after.superAdmin ? 'user.super_admin_granted' : 'user.super_admin_revoked',
            targetType: 'user',
            targetId: user.id,
            metadata: {},
          });
        }
        const teamIds = await this.teamIdsOf(manager, actor.accountId, [user.id]);
        return toUserDto(row, teamIds.get(user.id) ?? []);
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
      const { membership, user } = await this.findMember(manager, accountId, userId);
      if (membership.superAdmin && membership.status === 'active') {
        await assertAnotherSuperAdmin(manager, accountId, membership.id);
      }
      await manager.delete(TeamMember, { accountId, userId });
      await manager.delete(Membership, { id: membership.id });
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'user.removed',
        targetType: 'user',
        targetId: user.id,
        metadata: { before: { email: user.email, superAdmin: membership.superAdmin } },
      });
    });
  }

  private async findMember(
    manager: EntityManager,
    accountId: string,
    userId: string,
  ): Promise<MemberRow> {
    const membership = await manager.findOneBy(Membership, { accountId, userId });
    const user = membership ? await manager.findOneBy(User, { id: userId }) : null;
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

function toUserDto({ membership, user }: MemberRow, teamIds: string[]): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    superAdmin: membership.superAdmin,
    status: membership.status,
    businessUnitId: membership.businessUnitId,
    teamIds,
    createdAt: membership.createdAt.toISOString(),
    updatedAt: (membership.updatedAt > user.updatedAt
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
