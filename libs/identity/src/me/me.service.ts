import { Inject, Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  PRIVILEGE_RESOLVER,
  RequestContext,
  TASK_PRIVILEGES,
  TransactionHost,
  type PrivilegeResolver,
  isMemberInPerson,
} from '@custos/core';
import { Account } from '../accounts/account.entity';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { TeamMember } from '../teams/team-member.entity';
import { Team } from '../teams/team.entity';
import { Membership } from '../users/membership.entity';
import { User } from '../users/user.entity';
import type { MeDto, UpdateMeDto } from './me.dto';

@Injectable()
export class MeService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    @Inject(PRIVILEGE_RESOLVER) private readonly privileges: PrivilegeResolver,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async describe(): Promise<MeDto> {
    const actor = this.context.requireActor();
    const manager = this.transactions.manager;
    const account = await manager.findOneByOrFail(Account, { id: actor.accountId });
    const user = actor.userId ? await manager.findOneBy(User, { id: actor.userId }) : null;
    const membership = isMemberInPerson(actor)
      ? await manager.findOneBy(Membership, { accountId: actor.accountId, userId: actor.userId })
      : null;
    const businessUnit = membership
      ? await manager.findOneBy(BusinessUnit, { id: membership.businessUnitId })
      : null;
    const teamIds = membership
      ? (
          await manager.findBy(TeamMember, {
            accountId: actor.accountId,
            userId: membership.userId,
          })
        ).map((t) => t.teamId)
      : [];
    const teams = teamIds.length
      ? await manager.find(Team, { where: { id: In(teamIds) }, order: { name: 'ASC' } })
      : [];
    const held = await Promise.all(
      TASK_PRIVILEGES.map(async (p) => ((await this.privileges.hasPrivilege(actor, p)) ? p : null)),
    );
    return {
      actor: { kind: actor.kind, id: actor.id, label: actor.label },
      account: { id: account.id, name: account.name },
      user: user ? { id: user.id, email: user.email, displayName: user.displayName } : undefined,
      superAdmin: actor.superAdmin,
      businessUnit: businessUnit ? { id: businessUnit.id, name: businessUnit.name } : undefined,
      teams: teams.map((t) => ({ id: t.id, name: t.name })),
      privileges: held.filter((p) => p !== null),
    };
  }

  /** Renames the person behind the actor; audited in the account of the request. */
  async rename(input: UpdateMeDto): Promise<MeDto> {
    const actor = this.context.requireActor();
    if (!isMemberInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.people_only',
        'Only people have a display name to change.',
      );
    }
    const userId = actor.userId;
    await this.transactions.run(async (manager) => {
      const user = await manager.findOneByOrFail(User, { id: userId });
      await manager.update(
        User,
        { id: userId },
        { displayName: input.displayName, updatedAt: this.clock.now() },
      );
      await this.audit.record({
        action: 'user.renamed',
        targetType: 'user',
        targetId: userId,
        metadata: {
          before: { displayName: user.displayName },
          after: { displayName: input.displayName },
        },
      });
    });
    return this.describe();
  }
}
