import { AccessService, RoleService } from '@custos/access';
import { testDatabaseKinds } from '@custos/core/testing';
// Defines the privileges super admins hold.
import '../identity.privileges';
import { TeamService } from '../teams/team.service';
import {
  addTestMember,
  createIdentityTestApp,
  createTestAccount,
  type IdentityTestApp,
} from '../testing/identity-test-app';
import { PrivilegeHolders } from './privilege-holders';

describe.each(testDatabaseKinds())(`${PrivilegeHolders.name} on %s`, (kind) => {
  let app: IdentityTestApp;

  beforeAll(async () => {
    app = await createIdentityTestApp(kind);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('lists exactly the members whose access holds the privilege: super admins, by role, by team', async () => {
    const account = await createTestAccount(app);
    const asFounder = <T>(work: () => Promise<T>) => app.context.runAs(account.founder, work);
    const roles = app.module.get(RoleService);
    const [direct, viaTeam, other, none, admin] = [
      await addTestMember(app, account),
      await addTestMember(app, account),
      await addTestMember(app, account),
      await addTestMember(app, account),
      await addTestMember(app, account, { superAdmin: true }),
    ];
    await asFounder(async () => {
      const granting = await roles.create({
        name: 'grants',
        privileges: [],
        taskPrivileges: ['manage_teams'],
      });
      const similar = await roles.create({
        name: 'similar',
        privileges: [],
        taskPrivileges: ['manage_users', 'manage_account'],
      });
      await roles.assign(granting.id, { principalType: 'user', principalId: direct.actor.userId });
      await roles.assign(similar.id, { principalType: 'user', principalId: other.actor.userId });
      const team = await app.module.get(TeamService).create({ name: 'Team' });
      await app.module.get(TeamService).addMembers(team.id, [viaTeam.actor.userId]);
      await roles.assign(granting.id, { principalType: 'team', principalId: team.id });
    });

    const holders = await app.module
      .get(PrivilegeHolders)
      .userIds(account.accountId, 'manage_teams');

    expect(new Set(holders)).toEqual(
      new Set([
        account.founder.userId,
        admin.actor.userId,
        direct.actor.userId,
        viaTeam.actor.userId,
      ]),
    );
    // The oracle: the access each member is built with.
    const access = app.module.get(AccessService);
    for (const { actor } of [direct, viaTeam, other, none, admin]) {
      await expect(
        app.context.runAs(actor, () => access.hasPrivilege(actor, 'manage_teams')),
      ).resolves.toBe(holders.includes(actor.userId));
    }
    await expect(
      app.module.get(PrivilegeHolders).userIds(account.accountId, 'manage_team_'),
    ).resolves.toEqual([account.founder.userId, admin.actor.userId].sort());
  });
});
