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
    const manager = this.transactions.manager;
    const membership = await manager.findOneBy(Membership, { accountId, userId, status: 'active' });
    if (!membership) {
      return null;
    }
    const own = await manager.findBy(TeamMember, { accountId, userId });
    const teamIds = own.map((t) => t.teamId);
    const mates = teamIds.length > 0 ? await this.placesIn(accountId, teamIds) : [];
    return (await this.withFacts(accountId, [membership], [...own, ...mates]))[0];
  }

  /**
   * Active members, and invited ones as if they had accepted: an invitation needs no further
   * administrative change to take effect, so the delegation check weighs it when it is made.
   */
  async members(accountId: string): Promise<DirectoryMember[]> {
    const manager = this.transactions.manager;
    const memberships = await manager.find(Membership, {
      where: { accountId, status: In(['active', 'invited']) },
      order: { userId: 'ASC' },
    });
    return this.withFacts(accountId, memberships, await manager.findBy(TeamMember, { accountId }));
  }

  /** Facts of memberships from the team places given (each member's own and their mates'). */
  private async withFacts(
    accountId: string,
    memberships: readonly Membership[],
    places: readonly TeamMember[],
  ): Promise<DirectoryMember[]> {
    const teamsOf = new Map<string, Set<string>>();
    const membersOf = new Map<string, Set<string>>();
    for (const place of places) {
      teamsOf.set(place.userId, (teamsOf.get(place.userId) ?? new Set()).add(place.teamId));
      membersOf.set(place.teamId, (membersOf.get(place.teamId) ?? new Set()).add(place.userId));
    }
    // Business-unit trees are small: one query for the account's units, subtrees in memory.
    const units = await this.transactions.manager.find(BusinessUnit, {
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
      const teamIds = [...(teamsOf.get(membership.userId) ?? [])];
      return {
        // A partner admin's membership never makes a super admin (see `userActor`).
        superAdmin: membership.superAdmin && membership.partnerFirmId === null,
        facts: {
          id: membership.userId,
          teamIds,
          teamMemberIds: [
            ...new Set([
              membership.userId,
              ...teamIds.flatMap((t) => [...(membersOf.get(t) ?? [])]),
            ]),
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
