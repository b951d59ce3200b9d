import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from '../support/test-server';
import { uniqueEmail } from '../support/factories';
import { Setup, expectStatus } from './access-support';

/** Grant ceiling through teams and business units: nobody widens their own rights sideways. */
describe.each(testDatabaseKinds())('privilege escalation through teams and units on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;

  beforeAll(async () => {
    server = await startTestServer(kind);
    setup = new Setup(server, await server.login());
  });

  afterAll(async () => {
    await server.close();
  });

  async function powerfulTeam(): Promise<string> {
    const team = await setup.team();
    const role = await setup.role({ taskPrivileges: ['manage_roles', 'export'] });
    await setup.assign(role.id, 'team', team);
    return team;
  }

  it('refuses a team manager adding themself to a team whose roles exceed theirs', async () => {
    const team = await powerfulTeam();
    const manager = await setup.userWithRole({ taskPrivileges: ['manage_teams'] });
    const response = await manager.caller.post(`/api/v1/teams/${team}/members`, {
      userIds: [manager.id],
    });
    expectStatus(response, 403);
    expect(response.body).toMatchObject({
      code: 'access.grant_ceiling',
      errors: [{ field: 'userIds' }],
    });
    const me = await manager.caller.get('/api/v1/me');
    expect(me.body.privileges).not.toContain('manage_roles');
    expect(me.body.teams).toEqual([]);
  });

  it('lets them add people to teams whose roles they hold themselves', async () => {
    const team = await setup.team();
    const role = await setup.role({ taskPrivileges: ['manage_teams'] });
    await setup.assign(role.id, 'team', team);
    const manager = await setup.userWithRole({ taskPrivileges: ['manage_teams'] });
    const other = await setup.user();
    expectStatus(
      await manager.caller.post(`/api/v1/teams/${team}/members`, { userIds: [other.id] }),
      200,
    );
  });

  it('refuses a user manager creating a user in a team whose roles exceed theirs, writing nothing', async () => {
    const team = await powerfulTeam();
    const manager = await setup.userWithRole({ taskPrivileges: ['manage_users'] });
    const email = uniqueEmail('escalate');
    const response = await manager.caller.post('/api/v1/users', {
      email,
      displayName: 'Sock puppet',
      password: 'a long enough password',
      teamIds: [team],
    });
    expectStatus(response, 403);
    expect(response.body.errors[0].field).toBe('teamIds');
    expect(await server.login(email, 'a long enough password').catch(() => 'refused')).toBe(
      'refused',
    );
  });

  it('refuses moving oneself to another business unit, unless super admin', async () => {
    const unit = await setup.businessUnit();
    const manager = await setup.userWithRole({ taskPrivileges: ['manage_users'] });
    const response = await manager.caller.patch(`/api/v1/users/${manager.id}`, {
      businessUnitId: unit,
    });
    expectStatus(response, 403);
    expect(response.body.errors[0].field).toBe('businessUnitId');
    const other = await setup.user();
    expectStatus(
      await manager.caller.patch(`/api/v1/users/${other.id}`, { businessUnitId: unit }),
      200,
    );
  });

  it('lets one remove from oneself a role whose removal only narrows (its rules go with its grants)', async () => {
    const manager = await setup.userWithRole({ taskPrivileges: ['manage_roles'] });
    const bound = await setup.role({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
    });
    const assignment = await setup.assign(bound.id, 'user', manager.id);
    await setup.rule({ roleId: bound.id, effect: 'deny', condition: { country: 'US' } });
    // Removing a role whose deny rule binds other grants is refused: see delegation.e2e-spec.ts.
    expectStatus(
      await manager.caller.delete(`/api/v1/roles/${bound.id}/assignments/${assignment}`),
      204,
    );
  });
});
