import { Inject, Injectable } from '@nestjs/common';
import { EntityNotFoundError } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  PRIVILEGE_RESOLVER,
  RequestContext,
  TransactionHost,
  type Actor,
  type PrivilegeResolver,
  actsThroughMembership,
} from '@custos/core';
import { Account } from '../accounts/account.entity';
import { User } from '../users/user.entity';
import type { MeDto, UpdateMeDto } from './me.dto';

/**
 * Everything `GET /me` shows from the database, for placeholders of the account, the login and
 * the member (the login again for a member in person, else NULL): the account, the login, the
 * membership's business unit and one row per team (or one without a team). It is the cheapest
 * authenticated call, so clients poll it: the sign-in of `GET /me` reads it in its own
 * statement (`Authenticator`), and the request makes one round trip.
 */
export function meSql(account: string, login: string, member: string): string {
  return `SELECT a.id AS account_id, a.name AS account_name,
  u.id AS login_id, u.email AS login_email, u.display_name AS display_name,
  b.id AS business_unit_id, b.name AS business_unit_name, t.id AS team_id, t.name AS team_name
FROM identity_account a
LEFT JOIN identity_user u ON u.id = ${login}
LEFT JOIN identity_membership m ON m.account_id = a.id AND m.user_id = ${member}
LEFT JOIN identity_business_unit b ON b.id = m.business_unit_id
LEFT JOIN identity_team_member tm ON tm.account_id = a.id AND tm.user_id = m.user_id
LEFT JOIN identity_team t ON t.id = tm.team_id
WHERE a.id = ${account}`;
}

/** {@link meSql}'s rows in order; `MeService.describe` reads them in order. */
export const ME_ORDER = 'team_name, team_id';

const ME_SQL = `SELECT * FROM (${meSql('$1', '$2', '$3')}) me ORDER BY ${ME_ORDER}`;

/** A row of {@link meSql}. */
export interface MeRow {
  account_id: string | null;
  account_name: string | null;
  login_id: string | null;
  login_email: string | null;
  display_name: string | null;
  business_unit_id: string | null;
  business_unit_name: string | null;
  team_id: string | null;
  team_name: string | null;
}

/**
 * `GET /me`'s rows read in the sign-in's statement, by the actor it admitted: only the request
 * holding that very actor finds them, and they go with it.
 */
const readAtSignIn = new WeakMap<Actor, readonly MeRow[]>();

/** Keeps `rows` of {@link meSql}, read with the sign-in that admitted `actor`, for `describe`. */
export function rememberMeRows(actor: Actor, rows: readonly MeRow[]): void {
  readAtSignIn.set(actor, rows);
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

  /** What `GET /me` answers: from the rows the sign-in read with the actor, if it did. */
  async describe(): Promise<MeDto> {
    const actor = this.context.requireActor();
    const rows =
      readAtSignIn.get(actor) ??
      (await this.transactions.queryPrepared<MeRow>('identity_me', ME_SQL, [
        actor.accountId,
        actor.userId ?? null,
        actsThroughMembership(actor) ? actor.userId : null,
      ]));
    const [first] = rows;
    if (!first?.account_id) {
      throw new EntityNotFoundError(Account, { id: actor.accountId });
    }
    return {
      actor: { kind: actor.kind, id: actor.id, label: actor.label },
      account: { id: first.account_id, name: first.account_name! },
      user:
        first.login_id !== null
          ? { id: first.login_id, email: first.login_email!, displayName: first.display_name! }
          : undefined,
      superAdmin: actor.superAdmin,
      businessUnit:
        first.business_unit_id !== null
          ? { id: first.business_unit_id, name: first.business_unit_name! }
          : undefined,
      teams: rows.flatMap((r) =>
        r.team_id !== null ? [{ id: r.team_id, name: r.team_name! }] : [],
      ),
      privileges: await this.privileges.heldPrivileges(actor),
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
