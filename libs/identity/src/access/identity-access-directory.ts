import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
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
    const membership = await this.transactions.manager.findOneBy(Membership, {
      accountId,
      userId,
      status: 'active',
    });
    return membership ? ((await this.facts(accountId, [membership]))[0] ?? null) : null;
  }

  async members(accountId: string): Promise<DirectoryMember[]> {
    const memberships = await this.transactions.manager.find(Membership, {
      where: { accountId, status: 'active' },
      order: { userId: 'ASC' },
    });
    return this.facts(accountId, memberships);
  }

  /** Teams, team mates and business-unit subtrees of memberships, in three queries. */
  private async facts(
    accountId: string,
    memberships: readonly Membership[],
  ): Promise<DirectoryMember[]> {
    if (memberships.length === 0) {
      return [];
    }
    const manager = this.transactions.manager;
    const userIds = memberships.map((m) => m.userId);
    const own = await manager.findBy(TeamMember, {
      accountId,
      ...(userIds.length === 1 ? { userId: userIds[0] } : {}),
    });
    const teamsOf = new Map<string, string[]>();
    for (const row of own) {
      teamsOf.set(row.userId, [...(teamsOf.get(row.userId) ?? []), row.teamId]);
    }
    const heldTeams = [...new Set(userIds.flatMap((id) => teamsOf.get(id) ?? []))];
    const mates =
      userIds.length === 1 && heldTeams.length > 0
        ? await manager.findBy(TeamMember, { accountId, teamId: In(heldTeams) })
        : own;
    const membersOf = new Map<string, string[]>();
    for (const row of mates) {
      membersOf.set(row.teamId, [...(membersOf.get(row.teamId) ?? []), row.userId]);
    }
    // Business-unit trees are small: one query for the account's units, subtrees in memory.
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
    const subtree = (root: string): string[] => {
      const tree: string[] = [];
      const queue = [root];
      while (queue.length > 0) {
        const id = queue.shift()!;
        tree.push(id);
        queue.push(...(children.get(id) ?? []));
      }
      return tree;
    };
    return memberships.map((membership) => {
      const teamIds = teamsOf.get(membership.userId) ?? [];
      return {
        superAdmin: membership.superAdmin,
        facts: {
          id: membership.userId,
          teamIds,
          teamMemberIds: [
            ...new Set([membership.userId, ...teamIds.flatMap((t) => membersOf.get(t) ?? [])]),
          ],
          businessUnitIds: [membership.businessUnitId],
          businessUnitTreeIds: subtree(membership.businessUnitId),
        },
      };
    });
  }

  async exists(accountId: string, principalType: 'user' | 'team', id: string): Promise<boolean> {
    const manager = this.transactions.manager;
    return principalType === 'user'
      ? manager.existsBy(Membership, { accountId, userId: id, status: 'active' })
      : manager.existsBy(Team, { accountId, id });
  }

  async teamMembers(accountId: string, teamId: string): Promise<string[]> {
    return (await this.transactions.manager.findBy(TeamMember, { accountId, teamId })).map(
      (m) => m.userId,
    );
  }
}
