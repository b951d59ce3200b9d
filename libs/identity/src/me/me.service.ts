import { Inject, Injectable } from '@nestjs/common';
import { EntityNotFoundError } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  PRIVILEGE_RESOLVER,
  RequestContext,
  TASK_PRIVILEGES,
  TransactionHost,
  type PrivilegeResolver,
  actsThroughMembership,
} from '@custos/core';
import { Account } from '../accounts/account.entity';
import { User } from '../users/user.entity';
import type { MeDto, UpdateMeDto } from './me.dto';

/**
 * Everything `GET /me` shows from the database in one round trip (it is the cheapest
 * authenticated call, so clients poll it): the account, the login, the membership's business
 * unit and one row per team, by name. `$3` is the user only for a member in person.
 */
const ME_SQL = `SELECT a.id AS account_id, a.name AS account_name,
  u.id AS user_id, u.email AS email, u.display_name AS display_name,
  b.id AS business_unit_id, b.name AS business_unit_name, t.id AS team_id, t.name AS team_name
FROM identity_account a
LEFT JOIN identity_user u ON u.id = $2
LEFT JOIN identity_membership m ON m.account_id = a.id AND m.user_id = $3
LEFT JOIN identity_business_unit b ON b.id = m.business_unit_id
LEFT JOIN identity_team_member tm ON tm.account_id = a.id AND tm.user_id = m.user_id
LEFT JOIN identity_team t ON t.id = tm.team_id
WHERE a.id = $1
ORDER BY t.name, t.id`;

interface MeRow {
  account_id: string;
  account_name: string;
  user_id: string | null;
  email: string | null;
  display_name: string | null;
  business_unit_id: string | null;
  business_unit_name: string | null;
  team_id: string | null;
  team_name: string | null;
}

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
    const held = await Promise.all(
      TASK_PRIVILEGES.map(async (p) => ((await this.privileges.hasPrivilege(actor, p)) ? p : null)),
    );
    const rows = await this.transactions.queryPrepared<MeRow>('identity_me', ME_SQL, [
      actor.accountId,
      actor.userId ?? null,
      actsThroughMembership(actor) ? actor.userId : null,
    ]);
    const [first] = rows;
    if (!first) {
      throw new EntityNotFoundError(Account, { id: actor.accountId });
    }
    return {
      actor: { kind: actor.kind, id: actor.id, label: actor.label },
      account: { id: first.account_id, name: first.account_name },
      user:
        first.user_id !== null
          ? { id: first.user_id, email: first.email!, displayName: first.display_name! }
          : undefined,
      superAdmin: actor.superAdmin,
      businessUnit:
        first.business_unit_id !== null
          ? { id: first.business_unit_id, name: first.business_unit_name! }
          : undefined,
      teams: rows.flatMap((r) =>
        r.team_id !== null ? [{ id: r.team_id, name: r.team_name! }] : [],
      ),
      privileges: held.filter((p) => p !== null),
    };
  }

  /** Renames the person behind the actor; audited in the account of the request. */
  async rename(input: UpdateMeDto): Promise<MeDto> {
    const actor = this.context.requireActor();
    if (!actsThroughMembership(actor)) {
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
