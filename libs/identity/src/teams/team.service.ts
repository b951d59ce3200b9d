import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AccessService, DelegationCheck } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Page,
} from '@custos/core';
import { lockAccount } from '../accounts/super-admin-invariant';
import { IdentityErrors } from '../identity.errors';
import { Membership } from '../users/membership.entity';
import { LOGIN_OF_MEMBERSHIP, shownDisplayName } from '../users/shown-member';
import { changes } from '../users/user.service';
import { User } from '../users/user.entity';
import { TeamMember } from './team-member.entity';
import { Team } from './team.entity';
import type { CreateTeamDto, TeamDto, TeamMemberDto, UpdateTeamDto } from './team.dto';

@Injectable()
export class TeamService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly clock: Clock,
  ) {}

  async list(query: PageQueryDto): Promise<Page<TeamDto>> {
    const accountId = this.context.requireAccountId();
    const builder = this.transactions.manager
      .createQueryBuilder(Team, 't')
      .where('t.accountId = :accountId', { accountId });
    const page = await keysetPage(builder, 't.id', (t) => t.id, query);
    const counts = await this.memberCounts(
      this.transactions.manager,
      page.results.map((t) => t.id),
    );
    return mapPage(page, (t) => toTeamDto(t, counts.get(t.id) ?? 0));
  }

  async get(teamId: string): Promise<TeamDto> {
    const team = await this.find(this.transactions.manager, teamId);
    const counts = await this.memberCounts(this.transactions.manager, [team.id]);
    return toTeamDto(team, counts.get(team.id) ?? 0);
  }

  async create(input: CreateTeamDto): Promise<TeamDto> {
    const accountId = this.context.requireAccountId();
    const now = this.clock.now();
    return this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        const team = manager.create(Team, {
          id: newId(),
          accountId,
          name: input.name,
          description: input.description ?? '',
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(Team, team);
        await this.audit.record({
          action: 'team.created',
          targetType: 'team',
          targetId: team.id,
          metadata: { after: { name: team.name, description: team.description } },
        });
        return toTeamDto(team, 0);
      }),
    );
  }

  async update(teamId: string, input: UpdateTeamDto): Promise<TeamDto> {
    return this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        const team = await this.find(manager, teamId);
        const before = { name: team.name, description: team.description };
        team.name = input.name ?? team.name;
        team.description = input.description ?? team.description;
        team.updatedAt = this.clock.now();
        await manager.update(
          Team,
          { id: team.id },
          { name: team.name, description: team.description, updatedAt: team.updatedAt },
        );
        await this.audit.record({
          action: 'team.updated',
          targetType: 'team',
          targetId: team.id,
          metadata: changes(before, { name: team.name, description: team.description }),
        });
        const counts = await this.memberCounts(manager, [team.id]);
        return toTeamDto(team, counts.get(team.id) ?? 0);
      }),
    );
  }

  async remove(teamId: string): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // Serialised with additions of members, which would otherwise outlive the team.
      await lockAccount(manager, this.context.requireAccountId());
      const team = await this.find(manager, teamId);
      await manager.delete(TeamMember, { teamId: team.id });
      await manager.delete(Team, { id: team.id });
      await this.access.bump(team.accountId);
      await this.audit.record({
        action: 'team.deleted',
        targetType: 'team',
        targetId: team.id,
        metadata: { before: { name: team.name } },
      });
    });
  }

  async listMembers(teamId: string, query: PageQueryDto): Promise<Page<TeamMemberDto>> {
    const team = await this.find(this.transactions.manager, teamId);
    // Through the membership, so an invitation shows as the users API shows it.
    const builder = this.transactions.manager
      .createQueryBuilder(TeamMember, 'tm')
      .innerJoinAndMapOne(
        'tm.membership',
        Membership,
        'm',
        'm.accountId = tm.accountId AND m.userId = tm.userId',
      )
      .innerJoinAndMapOne('tm.user', User, 'u', `u.id = ${LOGIN_OF_MEMBERSHIP}`)
      .where('tm.teamId = :teamId', { teamId: team.id });
    const page = await keysetPage(builder, 'tm.userId', (tm) => tm.userId, query);
    return mapPage(page, (tm) => {
      const { user, membership } = tm as TeamMember & { user: User; membership: Membership };
      return {
        userId: tm.userId,
        email: user.email,
        displayName: shownDisplayName(membership, user),
      };
    });
  }

  /** Adds users of this account to the team; users already in it are left as they are. */
  async addMembers(teamId: string, userIds: string[]): Promise<TeamDto> {
    return this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // Serialised with deletion of the team and removal of the users from the account.
      await lockAccount(manager, this.context.requireAccountId());
      const team = await this.find(manager, teamId);
      const members = await manager.findBy(Membership, {
        accountId: team.accountId,
        userId: In(userIds),
      });
      const missing = userIds.findIndex((id) => !members.some((m) => m.userId === id));
      if (missing >= 0) {
        throw CustosError.invalidField(
          'identity.user_not_found',
          `userIds[${missing}]`,
          'no such user in this account',
        );
      }
      const existing = await manager.findBy(TeamMember, { teamId: team.id, userId: In(userIds) });
      const added = userIds.filter((id) => !existing.some((e) => e.userId === id));
      const now = this.clock.now();
      if (added.length > 0) {
        await manager.insert(
          TeamMember,
          added.map((userId) => ({
            teamId: team.id,
            userId,
            accountId: team.accountId,
            createdAt: now,
          })),
        );
        await this.access.bump(team.accountId);
        await this.audit.record({
          action: 'team.members_added',
          targetType: 'team',
          targetId: team.id,
          metadata: { userIds: added },
        });
      }
      const counts = await this.memberCounts(manager, [team.id]);
      return toTeamDto(team, counts.get(team.id) ?? 0);
    }, 'userIds');
  }

  async removeMember(teamId: string, userId: string): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      const team = await this.find(manager, teamId);
      const result = await manager.delete(TeamMember, { teamId: team.id, userId });
      if (!result.affected) {
        throw IdentityErrors.userNotFound();
      }
      await this.access.bump(team.accountId);
      await this.audit.record({
        action: 'team.member_removed',
        targetType: 'team',
        targetId: team.id,
        metadata: { userIds: [userId] },
      });
    });
  }

  private async find(manager: EntityManager, teamId: string): Promise<Team> {
    const team = await manager.findOneBy(Team, {
      accountId: this.context.requireAccountId(),
      id: teamId,
    });
    if (!team) {
      throw IdentityErrors.teamNotFound();
    }
    return team;
  }

  private async memberCounts(
    manager: EntityManager,
    teamIds: string[],
  ): Promise<Map<string, number>> {
    if (teamIds.length === 0) {
      return new Map();
    }
    const rows = await manager
      .createQueryBuilder(TeamMember, 'tm')
      .select('tm.teamId', 'teamId')
      .addSelect('COUNT(*)', 'count')
      .where('tm.teamId IN (:...teamIds)', { teamIds })
      .groupBy('tm.teamId')
      .getRawMany<{ teamId: string; count: string | number }>();
    return new Map(rows.map((r) => [r.teamId, Number(r.count)]));
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw IdentityErrors.duplicateName('A team');
      }
      throw error;
    }
  }
}

function toTeamDto(team: Team, memberCount: number): TeamDto {
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    memberCount,
    createdAt: team.createdAt.toISOString(),
    updatedAt: team.updatedAt.toISOString(),
  };
}
