import { Injectable } from '@nestjs/common';
import { In, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AccessService, DelegationCheck } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost } from '@custos/core';
import { lockAccount } from '../accounts/super-admin-invariant';
import { IdentityErrors } from '../identity.errors';
import { TeamMember } from '../teams/team-member.entity';
import { Team } from '../teams/team.entity';
import { TeamService } from '../teams/team.service';
import { Membership } from '../users/membership.entity';
import { User } from '../users/user.entity';
import { parseScimFilter } from './scim-filter';
import { ScimUser } from './scim-user.entity';
import {
  applyGroupPatch,
  memberIdsOf,
  type ScimGroupState,
  type ScimPatchOperation,
} from './scim-patch';
import {
  GROUP_SCHEMA,
  listResponse,
  type ScimGroupResource,
  type ScimListResponse,
  type ScimPage,
} from './scim-resources';
import { ScimErrors } from './scim.errors';

const GROUP_FILTERS = { displayname: 'displayname', id: 'id' } as const;
type GroupFilterAttribute = (typeof GROUP_FILTERS)[keyof typeof GROUP_FILTERS];
/** Ids per `IN (…)`: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

interface GroupRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    result.push(items.slice(i, i + CHUNK));
  }
  return result;
}

/**
 * SCIM Groups: the account's teams. Names and deletion go through {@link TeamService}; member
 * changes are applied as the PATCH says, in one transaction under the grant ceiling, with one
 * `INSERT`/`DELETE` per 500 members and an audit event for what was added and removed.
 */
@Injectable()
export class ScimGroupService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly teams: TeamService,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(
    filter: string | undefined,
    page: ScimPage,
    withMembers: boolean,
    baseUrl: string,
  ): Promise<ScimListResponse<ScimGroupResource>> {
    const manager = this.transactions.manager;
    const query = this.query(manager);
    if (filter !== undefined) {
      const { attribute, value } = parseScimFilter<GroupFilterAttribute>(filter, GROUP_FILTERS);
      if (attribute === 'id') {
        query.andWhere('t.id = :value', { value });
      } else {
        query.andWhere('LOWER(t.name) = :value', { value: value.toLowerCase() });
      }
    }
    const [total, rows] = await this.transactions.all(
      () => query.clone().select('COUNT(*)', 'total').getRawOne<{ total: string | number }>(),
      () =>
        query
          .clone()
          .orderBy('t.created_at', 'ASC')
          .addOrderBy('t.id', 'ASC')
          .offset(page.startIndex - 1)
          .limit(page.count)
          .getRawMany<GroupRow>(),
    );
    const members = withMembers
      ? await this.membersOf(
          manager,
          rows.map((r) => r.id),
        )
      : undefined;
    return listResponse(
      Number(total?.total ?? 0),
      page,
      rows.map((row) =>
        toResource(row, members?.get(row.id) ?? (withMembers ? [] : undefined), baseUrl),
      ),
    );
  }

  async get(id: string, withMembers: boolean, baseUrl: string): Promise<ScimGroupResource> {
    const manager = this.transactions.manager;
    const row = await this.row(manager, id);
    const members = withMembers ? ((await this.membersOf(manager, [id])).get(id) ?? []) : undefined;
    return toResource(row, members, baseUrl);
  }

  async create(body: unknown, baseUrl: string): Promise<ScimGroupResource> {
    const wanted = stateOf(body);
    const id = await this.transactions.run(async () => {
      const team = await this.teams.create({ name: wanted.displayName });
      await this.write(team.id, { displayName: wanted.displayName, members: [] }, wanted, []);
      return team.id;
    });
    return this.get(id, true, baseUrl);
  }

  /** PUT: the group becomes exactly the resource sent (name and members). */
  async replace(id: string, body: unknown, baseUrl: string): Promise<ScimGroupResource> {
    const wanted = stateOf(body);
    await this.change(id, () => wanted);
    return this.get(id, true, baseUrl);
  }

  async patch(
    id: string,
    operations: ScimPatchOperation[],
    baseUrl: string,
  ): Promise<ScimGroupResource> {
    await this.change(id, (current) => applyGroupPatch(current, operations));
    return this.get(id, false, baseUrl);
  }

  async remove(id: string): Promise<void> {
    await this.teams.remove(id);
  }

  private async change(
    id: string,
    next: (current: ScimGroupState) => ScimGroupState,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      // The members are read under the lock the write takes: two PATCHes adding one member
      // (Entra ID sends in parallel) must not both see them absent and both insert (500).
      await lockAccount(manager, this.context.requireAccountId());
      const row = await this.row(manager, id);
      const rows = await manager.find(TeamMember, {
        select: { userId: true },
        where: { teamId: id },
        order: { createdAt: 'ASC', userId: 'ASC' },
      });
      const aliases = await this.scimIdAliases(manager);
      const members = rows.map((m) => ({
        user_id: m.userId,
        scim_id: aliases.get(m.userId) ?? m.userId,
      }));
      const before = { displayName: row.name, members: members.map((m) => m.scim_id) };
      await this.write(id, before, next(before), members);
    });
  }

  /**
   * Stores the difference between two states of a group, whose members are SCIM ids; `current`
   * are the members now with their user ids.
   */
  private async write(
    id: string,
    before: ScimGroupState,
    after: ScimGroupState,
    current: readonly { user_id: string; scim_id: string }[],
  ): Promise<void> {
    if (after.displayName !== before.displayName) {
      await this.teams.update(id, { name: after.displayName });
    }
    const had = new Set(before.members);
    const has = new Set(after.members);
    const adding = after.members.filter((scimId) => !had.has(scimId));
    const removed = current.filter((m) => !has.has(m.scim_id)).map((m) => m.user_id);
    if (adding.length === 0 && removed.length === 0) {
      return;
    }
    const accountId = this.context.requireAccountId();
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // Serialised with removal of the users from the account (as TeamService.addMembers is).
      await lockAccount(manager, accountId);
      const added = await this.userIdsOf(manager, accountId, adding);
      const now = this.clock.now();
      for (const chunk of chunks(added)) {
        await manager.insert(
          TeamMember,
          chunk.map((userId) => ({ teamId: id, userId, accountId, createdAt: now })),
        );
      }
      for (const chunk of chunks(removed)) {
        await manager.delete(TeamMember, { teamId: id, userId: In(chunk) });
      }
      await manager.update(Team, { id }, { updatedAt: now });
      await this.access.bump(accountId);
      if (added.length > 0) {
        await this.audit.record({
          action: 'team.members_added',
          targetType: 'team',
          targetId: id,
          metadata: { userIds: added },
        });
      }
      if (removed.length > 0) {
        await this.audit.record({
          action: 'team.members_removed',
          targetType: 'team',
          targetId: id,
          metadata: { userIds: removed },
        });
      }
    }, 'members');
  }

  /**
   * The user ids of members given by SCIM id, in order; every one must be a user of this
   * account: a 400 naming the first that is not.
   */
  private async userIdsOf(
    manager: EntityManager,
    accountId: string,
    scimIds: readonly string[],
  ): Promise<string[]> {
    const aliases = await this.scimIdAliases(manager);
    const aliased = new Map([...aliases].map(([userId, scimId]) => [scimId, userId]));
    // A user id with a SCIM id of its own is not what the provider knows them by.
    const userIdOf = (scimId: string) =>
      aliased.get(scimId) ?? (aliases.has(scimId) ? undefined : scimId);
    const candidates = scimIds.map(userIdOf).filter((userId) => userId !== undefined);
    const found = new Set<string>();
    for (const chunk of chunks(candidates)) {
      const rows = await manager.find(Membership, {
        select: { userId: true },
        where: { accountId, userId: In(chunk) },
      });
      rows.forEach((row) => found.add(row.userId));
    }
    const missing = scimIds.find((scimId) => !found.has(userIdOf(scimId) ?? ''));
    if (missing !== undefined) {
      throw ScimErrors.invalidValue('members', `no user "${missing}" in this account`);
    }
    return scimIds.map((scimId) => userIdOf(scimId)!);
  }

  /**
   * User id → SCIM id of the account's members the provider knows by another id (those it
   * provisioned with a login that existed, once they signed in: see {@link ScimUser.resourceId}).
   * One read of that index, not a join per member: the whole list of 1,000 groups stays as fast.
   */
  private async scimIdAliases(manager: EntityManager): Promise<Map<string, string>> {
    const rows = await manager
      .createQueryBuilder(ScimUser, 's')
      .select(['s.user_id AS user_id', 's.resource_id AS resource_id'])
      .where('s.account_id = :accountId', { accountId: this.context.requireAccountId() })
      .andWhere('s.resource_id IS NOT NULL')
      .getRawMany<{ user_id: string; resource_id: string }>();
    return new Map(rows.map((row) => [row.user_id, row.resource_id]));
  }

  private query(manager: EntityManager): SelectQueryBuilder<Team> {
    return manager
      .createQueryBuilder(Team, 't')
      .select([
        't.id AS id',
        't.name AS name',
        't.created_at AS created_at',
        't.updated_at AS updated_at',
      ])
      .where('t.account_id = :accountId', { accountId: this.context.requireAccountId() });
  }

  private async row(manager: EntityManager, id: string): Promise<GroupRow> {
    const row = await this.query(manager).andWhere('t.id = :id', { id }).getRawOne<GroupRow>();
    if (!row) {
      throw IdentityErrors.teamNotFound();
    }
    return row;
  }

  /** Members of several groups in one query per 500 groups, with the login to display. */
  private async membersOf(
    manager: EntityManager,
    teamIds: readonly string[],
  ): Promise<Map<string, { value: string; display: string }[]>> {
    const result = new Map<string, { value: string; display: string }[]>();
    const aliases = await this.scimIdAliases(manager);
    for (const chunk of chunks(teamIds)) {
      const rows = await manager
        .createQueryBuilder(TeamMember, 'tm')
        .innerJoin(Membership, 'm', 'm.account_id = tm.account_id AND m.user_id = tm.user_id')
        .innerJoin(User, 'u', 'u.id = COALESCE(m.invited_login_id, m.user_id)')
        .select(['tm.team_id AS team_id', 'tm.user_id AS user_id', 'u.email AS email'])
        .where('tm.team_id IN (:...chunk)', { chunk })
        .orderBy('tm.created_at', 'ASC')
        .addOrderBy('tm.user_id', 'ASC')
        .getRawMany<{ team_id: string; user_id: string; email: string }>();
      for (const row of rows) {
        const list = result.get(row.team_id) ?? [];
        list.push({ value: aliases.get(row.user_id) ?? row.user_id, display: row.email });
        result.set(row.team_id, list);
      }
    }
    return result;
  }
}

/** The group a POST or PUT body describes: `displayName` required, `members` as given. */
function stateOf(body: unknown): ScimGroupState {
  const resource =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const displayName = typeof resource.displayName === 'string' ? resource.displayName.trim() : '';
  if (displayName === '' || displayName.length > 200) {
    throw ScimErrors.invalidValue('displayName', 'is required (at most 200 characters)');
  }
  return { displayName, members: [...new Set(memberIdsOf(resource.members))] };
}

function toResource(
  row: GroupRow,
  members: { value: string; display: string }[] | undefined,
  baseUrl: string,
): ScimGroupResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    displayName: row.name,
    ...(members
      ? { members: members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${m.value}` })) }
      : {}),
    meta: {
      resourceType: 'Group',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.updated_at).toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
    },
  };
}
