import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@custos/core';
import type { AccessDirectory, DirectoryMember } from '@custos/access';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { TeamMember } from '../teams/team-member.entity';
import { Team } from '../teams/team.entity';
import { Membership } from '../users/membership.entity';

/** `@custos/access`'s view of people: teams, team mates and business units of a member. */
@Injectable()
export class IdentityAccessDirectory implements AccessDirectory {
  constructor(private readonly transactions: TransactionHost) {}

  async member(accountId: string, userId: string): Promise<DirectoryMember | null> {
    const manager = this.transactions.manager;
    const membership = await manager.findOneBy(Membership, { accountId, userId, status: 'active' });
    if (!membership) {
      return null;
    }
    const teamIds = (await manager.findBy(TeamMember, { accountId, userId })).map((t) => t.teamId);
    const mates = teamIds.length > 0 ? await this.placesIn(accountId, teamIds) : [];
    // Business-unit trees are small: one query for the account's units, the subtree in memory.
    const units = await manager.find(BusinessUnit, {
      where: { accountId },
      select: { id: true, parentId: true },
    });
    const children = new Map<string, string[]>();
    for (const unit of units) {
      if (unit.parentId) {
        children.set(unit.parentId, [...(children.get(unit.parentId) ?? []), unit.id]);
      }
    }
    const tree: string[] = [];
    const queue = [membership.businessUnitId];
    while (queue.length > 0) {
      const id = queue.shift()!;
      tree.push(id);
      queue.push(...(children.get(id) ?? []));
    }
    return {
      superAdmin: membership.superAdmin,
      facts: {
        id: userId,
        teamIds,
        teamMemberIds: [...new Set([userId, ...mates.map((m) => m.userId)])],
        businessUnitIds: [membership.businessUnitId],
        businessUnitTreeIds: tree,
      },
    };
  }

  async exists(accountId: string, principalType: 'user' | 'team', id: string): Promise<boolean> {
    const manager = this.transactions.manager;
    return principalType === 'user'
      ? manager.existsBy(Membership, { accountId, userId: id, status: 'active' })
      : manager.existsBy(Team, { accountId, id });
  }

  async teamMembers(accountId: string, teamId: string): Promise<string[]> {
    return (await this.placesIn(accountId, [teamId])).map((m) => m.userId);
  }

  /** Team places of people who joined the account: an invitation not yet accepted counts nowhere. */
  private placesIn(accountId: string, teamIds: string[]): Promise<TeamMember[]> {
    return this.transactions.manager
      .createQueryBuilder(TeamMember, 'tm')
      .innerJoin(
        Membership,
        'm',
        "m.accountId = tm.accountId AND m.userId = tm.userId AND m.status <> 'invited'",
      )
      .where('tm.accountId = :accountId', { accountId })
      .andWhere('tm.teamId IN (:...teamIds)', { teamIds })
      .getMany();
  }
}
