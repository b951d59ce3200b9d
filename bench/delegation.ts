/**
 * bench/delegation: what the delegation check (issue 10) costs an administrative change.
 *
 * Per database, on the real server module (bench/crm-search's `startBenchServer`), an account
 * with `--delegation-users` members (default 1,000) in teams of 20, a business-unit tree of 20
 * units, 30 roles at every level over contacts, companies and deals (each member holds one,
 * every team one more), 20 record rules (restrict and deny, role-bound and account-wide) and 10
 * field permissions. The check reads no record rows (it reasons over rules), so the number of
 * records does not enter it; none are seeded.
 *
 * Timed, round-robin, through the real services as an actor:
 * - `assign`: a role given to a member and taken back (`RoleService.assign` + `unassign`);
 * - `teamMember`: a member added to a team and removed (`TeamService.addMembers` + `removeMember`);
 * - `snapshot`: `AccessService.accountInputs` alone (what everyone's access is built from, read).
 * Each change once as a delegated admin (not a super admin: the check runs) and once as a super
 * admin in person (exempt: the same change, lock and transaction, no check) — the baseline;
 * `ratio` = delegated / baseline median.
 */
import { In } from 'typeorm';
import {
  AccessService,
  ACCESS_LEVELS,
  FieldPermission,
  RECORD_ACTIONS,
  RecordRule,
  Role,
  RoleAssignment,
  RoleService,
} from '@custos/access';
import { RequestContext, TransactionHost, newId, type Actor } from '@custos/core';
import type { DatabaseKind } from '@custos/core/testing';
import { BusinessUnit, Membership, Team, TeamMember, TeamService, User } from '@custos/identity';
import { startBenchServer } from './crm-search';

export interface DelegationBenchOptions {
  users: number;
  iterations: number;
  warmup: number;
}

interface Timing {
  medianMs: number;
  p95Ms: number;
}

export interface DelegationResult {
  users: number;
  teams: number;
  roles: number;
  rules: number;
  assign: { delegated: Timing; superAdmin: Timing; ratio: number };
  teamMember: { delegated: Timing; superAdmin: Timing; ratio: number };
  snapshot: Timing;
}

const TYPES = ['contacts', 'companies', 'deals'] as const;
const RESTRICTED = ['phone', 'jobtitle', 'birthdate', 'city', 'company'];

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (n: number) => Math.round(n * 100) / 100;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

export async function benchDelegation(
  kind: DatabaseKind,
  options: DelegationBenchOptions,
): Promise<DelegationResult> {
  const server = await startBenchServer(kind);
  try {
    const app = server.app;
    const transactions = app.get(TransactionHost);
    const context = app.get(RequestContext);
    const access = app.get(AccessService);
    const roles = app.get(RoleService);
    const teams = app.get(TeamService);
    const founder = await transactions.manager.findOneByOrFail(Membership, { superAdmin: true });
    const accountId = founder.accountId;
    let random = 20_261_205;
    const next = (n: number) => {
      random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
      return random % n;
    };

    // The account, written straight into the tables.
    const now = new Date();
    const root = await transactions.manager.findOneByOrFail(BusinessUnit, {
      accountId,
      id: founder.businessUnitId,
    });
    const units = [root.id];
    const userIds: string[] = [];
    const teamIds: string[] = [];
    const roleIds: string[] = [];
    await transactions.run(async (manager) => {
      for (let i = 1; i < 20; i++) {
        const id = newId();
        await manager.insert(BusinessUnit, {
          id,
          accountId,
          name: `unit ${i}`,
          parentId: units[next(units.length)],
          createdAt: now,
          updatedAt: now,
        });
        units.push(id);
      }
      for (let i = 0; i < options.users; i++) {
        const id = newId();
        await manager.insert(User, {
          id,
          email: `member-${i}-${id}@bench.example.com`,
          displayName: `Member ${i}`,
          passwordHash: null,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(
          Membership,
          manager.create(Membership, {
            id: newId(),
            accountId,
            userId: id,
            superAdmin: false,
            status: 'active',
            businessUnitId: units[next(units.length)],
            createdAt: now,
            updatedAt: now,
          }),
        );
        userIds.push(id);
      }
      for (let t = 0; t < Math.ceil(options.users / 20); t++) {
        const id = newId();
        await manager.insert(Team, {
          id,
          accountId,
          name: `team ${t}`,
          description: '',
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(
          TeamMember,
          userIds.slice(t * 20, t * 20 + 20).map((userId) => ({
            teamId: id,
            userId,
            accountId,
            createdAt: now,
          })),
        );
        teamIds.push(id);
      }
      for (let r = 0; r < 30; r++) {
        const id = newId();
        await manager.insert(Role, {
          id,
          accountId,
          name: `role ${r}`,
          description: '',
          privileges: TYPES.flatMap((objectType) =>
            RECORD_ACTIONS.filter(() => next(2) === 0).map((action) => ({
              objectType,
              action,
              level: ACCESS_LEVELS[next(ACCESS_LEVELS.length)],
            })),
          ),
          taskPrivileges: [],
          createdAt: now,
          updatedAt: now,
        });
        roleIds.push(id);
      }
      const assignments = [
        ...userIds.map((id) => ({ principalType: 'user' as const, principalId: id })),
        ...teamIds.map((id) => ({ principalType: 'team' as const, principalId: id })),
      ].map((p) => ({ id: newId(), accountId, roleId: roleIds[next(roleIds.length)], ...p }));
      for (let i = 0; i < assignments.length; i += 200) {
        await manager.insert(RoleAssignment, assignments.slice(i, i + 200));
      }
      for (let r = 0; r < 20; r++) {
        await manager.save(RecordRule, {
          id: newId(),
          accountId,
          roleId: r % 4 === 0 ? null : roleIds[next(roleIds.length)],
          name: `rule ${r}`,
          objectType: TYPES[next(TYPES.length)],
          actions: ['read', 'update'],
          effect: r % 3 === 0 ? 'deny' : 'restrict',
          condition:
            r % 2 === 0 ? { country: { $in: ['DE', 'FR', 'IT'] } } : { city: { $ne: 'Paris' } },
          createdAt: now,
          updatedAt: now,
        });
      }
      // Five restricted contact properties, each viewable and editable by one team and the admin.
      await manager.insert(
        FieldPermission,
        RESTRICTED.flatMap((property) =>
          (['view', 'edit'] as const).flatMap((access) =>
            (
              [
                ['team', teamIds[next(teamIds.length)]],
                ['user', userIds[0]],
              ] as const
            ).map(([principalType, principalId]) => ({
              id: newId(),
              accountId,
              objectType: 'contacts',
              property,
              access,
              principalType,
              principalId,
            })),
          ),
        ),
      );
      // The delegated admin: everything on records and the admin privileges, not super admin.
      const adminRole = newId();
      await manager.insert(Role, {
        id: adminRole,
        accountId,
        name: 'delegated admin',
        description: '',
        privileges: TYPES.flatMap((objectType) =>
          RECORD_ACTIONS.map((action) => ({ objectType, action, level: 'account' as const })),
        ),
        taskPrivileges: ['manage_roles', 'manage_teams', 'manage_users'],
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(RoleAssignment, {
        id: newId(),
        accountId,
        roleId: adminRole,
        principalType: 'user',
        principalId: userIds[0],
      });
      await access.bump(accountId);
    });

    const actorOf = (userId: string, superAdmin: boolean): Actor => ({
      kind: 'user',
      id: userId,
      userId,
      accountId,
      label: userId,
      superAdmin,
    });
    const delegated = actorOf(userIds[0], false);
    const superAdmin = actorOf(founder.userId, true);

    const timeChange = async (actor: Actor, change: () => Promise<void>): Promise<number> => {
      const started = process.hrtime.bigint();
      await context.runAs(actor, change);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const assignOnce = async () => {
      const roleId = roleIds[next(roleIds.length)];
      const userId = userIds[1 + next(userIds.length - 1)];
      if (
        await transactions.manager.existsBy(RoleAssignment, {
          roleId,
          principalType: 'user',
          principalId: userId,
        })
      ) {
        return;
      }
      const assignment = await roles.assign(roleId, { principalType: 'user', principalId: userId });
      await roles.unassign(roleId, assignment.id);
    };
    const teamOnce = async () => {
      const teamId = teamIds[next(teamIds.length)];
      const userId = userIds[1 + next(userIds.length - 1)];
      const already = await transactions.manager.findBy(TeamMember, {
        teamId,
        userId: In([userId]),
      });
      if (already.length > 0) {
        return;
      }
      await teams.addMembers(teamId, [userId]);
      await teams.removeMember(teamId, userId);
    };
    const samples = {
      assignDelegated: [] as number[],
      assignSuper: [] as number[],
      teamDelegated: [] as number[],
      teamSuper: [] as number[],
      snapshot: [] as number[],
    };
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      const keep = i >= options.warmup;
      const run = [
        ['assignDelegated', await timeChange(delegated, assignOnce)],
        ['assignSuper', await timeChange(superAdmin, assignOnce)],
        ['teamDelegated', await timeChange(delegated, teamOnce)],
        ['teamSuper', await timeChange(superAdmin, teamOnce)],
        [
          'snapshot',
          await timeChange(superAdmin, async () => void (await access.accountInputs(accountId))),
        ],
      ] as const;
      if (keep) {
        for (const [key, ms] of run) {
          samples[key].push(ms);
        }
      }
    }
    const ratio = (a: Timing, b: Timing) => Math.round((a.medianMs / b.medianMs) * 100) / 100;
    const assignDelegated = timing(samples.assignDelegated);
    const assignSuper = timing(samples.assignSuper);
    const teamDelegated = timing(samples.teamDelegated);
    const teamSuper = timing(samples.teamSuper);
    return {
      users: options.users,
      teams: teamIds.length,
      roles: roleIds.length + 1,
      rules: 20,
      assign: {
        delegated: assignDelegated,
        superAdmin: assignSuper,
        ratio: ratio(assignDelegated, assignSuper),
      },
      teamMember: {
        delegated: teamDelegated,
        superAdmin: teamSuper,
        ratio: ratio(teamDelegated, teamSuper),
      },
      snapshot: timing(samples.snapshot),
    };
  } finally {
    await server.close();
  }
}
