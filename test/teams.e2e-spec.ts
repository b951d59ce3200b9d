import type { Response, Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, auditHead, expectProblem, newAccount, walkPages } from './support/api';
import { newUser, type CreatedUser } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

interface TeamView {
  id: string;
  name: string;
  description: string;
  memberCount: number;
}

interface TeamMemberView {
  userId: string;
  email: string;
  displayName: string;
}

const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

let nameCounter = 0;
const uniqueName = (prefix: string) => `${prefix} ${(nameCounter += 1)}`;

describe.each(testDatabaseKinds())('teams API on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let other: { accountId: string; token: string };
  let member: CreatedUser;

  const http = () => server.http();
  const asAdmin = (req: Test): Test => req.auth(adminToken, { type: 'bearer' });
  const createTeam = async (token: string, name = uniqueName('Team')): Promise<TeamView> => {
    const response = await http()
      .post('/api/v1/teams')
      .auth(token, { type: 'bearer' })
      .send({ name });
    expect(response.status).toBe(201);
    return response.body as TeamView;
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    member = await newUser(server, adminToken);
    other = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("lists a member's teams of this account by name in GET /me, with their business unit", async () => {
    const user = await newUser(server, adminToken);
    const zulu = await createTeam(adminToken, uniqueName('Zulu'));
    const alpha = await createTeam(adminToken, uniqueName('Alpha'));
    await createTeam(adminToken, uniqueName('Not theirs'));
    for (const team of [zulu, alpha]) {
      const added = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [user.id],
      });
      expect([200, 201]).toContain(added.status);
    }
    const me = await http().get('/api/v1/me').auth(user.token, { type: 'bearer' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: user.id, email: user.email },
      superAdmin: false,
      teams: [
        { id: alpha.id, name: alpha.name },
        { id: zulu.id, name: zulu.name },
      ],
    });
    expect((me.body as { businessUnit?: { id: string } }).businessUnit?.id).toEqual(
      expect.any(String),
    );
  });

  describe('create', () => {
    it('creates a team and audits team.created with its state', async () => {
      const response = await asAdmin(http().post('/api/v1/teams')).send({
        name: 'Northern Europe',
        description: 'Nordics and Baltics',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        name: 'Northern Europe',
        description: 'Nordics and Baltics',
        memberCount: 0,
      });
      const events = await auditEvents(server, adminToken, {
        targetId: response.body.id as string,
      });
      expect(events).toEqual([
        expect.objectContaining({
          action: 'team.created',
          targetType: 'team',
          metadata: { after: { name: 'Northern Europe', description: 'Nordics and Baltics' } },
        }),
      ]);
    });

    it('refuses a duplicate name with 409 naming name, writing nothing', async () => {
      const existing = await createTeam(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/teams')).send({ name: existing.name });
      expectProblem(response, 409, { code: 'identity.duplicate_name', field: 'name' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('allows the name of a team of another account', async () => {
      const foreign = await createTeam(other.token);
      const response = await asAdmin(http().post('/api/v1/teams')).send({ name: foreign.name });
      expect(response.status).toBe(201);
    });

    it('refuses an empty name with 422 naming name', async () => {
      expectProblem(await asAdmin(http().post('/api/v1/teams')).send({ name: '' }), 422, {
        field: 'name',
      });
    });

    it.each(['accountId', 'id', 'memberCount'])(
      'refuses mass assignment of %s with 422 naming it',
      async (property) => {
        const head = await auditHead(server, adminToken);
        const response = await asAdmin(http().post('/api/v1/teams')).send({
          name: uniqueName('Mass'),
          [property]: UNKNOWN_ID,
        });
        expectProblem(response, 422, { code: 'core.validation_failed', field: property });
        expect(await auditHead(server, adminToken)).toBe(head);
      },
    );
  });

  describe('list and get', () => {
    it('walks every page without duplicates or omissions', async () => {
      for (let i = 0; i < 3; i += 1) {
        await createTeam(adminToken);
      }
      const all = await asAdmin(http().get('/api/v1/teams')).query({ limit: 100 });
      expect(all.status).toBe(200);
      const { pages } = await walkPages<TeamView>((after) =>
        asAdmin(http().get('/api/v1/teams')).query({ limit: 2, ...(after ? { after } : {}) }),
      );
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.flat().map((t) => t.id)).toEqual(
        (all.body.results as TeamView[]).map((t) => t.id),
      );
    });

    it('never lists the teams of another account', async () => {
      const foreign = await createTeam(other.token);
      const all = await asAdmin(http().get('/api/v1/teams')).query({ limit: 100 });
      expect((all.body.results as TeamView[]).map((t) => t.id)).not.toContain(foreign.id);
    });

    it('gets a team', async () => {
      const team = await createTeam(adminToken);
      const response = await asAdmin(http().get(`/api/v1/teams/${team.id}`));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(team);
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/teams/${UNKNOWN_ID}`)), 404, {
        code: 'identity.team_not_found',
      });
    });

    it('answers a non-UUID id with 422 naming teamId', async () => {
      expectProblem(await asAdmin(http().get('/api/v1/teams/42')), 422, { field: 'teamId' });
    });
  });

  describe('update', () => {
    it('renames a team and audits team.updated with only the changed fields', async () => {
      const team = await createTeam(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/teams/${team.id}`)).send({
        name: `${team.name} renamed`,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: team.id,
        name: `${team.name} renamed`,
        description: '',
      });
      const [event] = await auditEvents(server, adminToken, {
        targetId: team.id,
        action: 'team.updated',
      });
      expect(event.metadata).toEqual({
        before: { name: team.name },
        after: { name: `${team.name} renamed` },
      });
    });

    it('refuses the name of another team with 409 naming name, writing nothing', async () => {
      const first = await createTeam(adminToken);
      const second = await createTeam(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/teams/${second.id}`)).send({
        name: first.name,
      });
      expectProblem(response, 409, { code: 'identity.duplicate_name', field: 'name' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await asAdmin(http().get(`/api/v1/teams/${second.id}`))).body.name).toBe(second.name);
    });

    it('refuses a description of the wrong type with 422 naming description', async () => {
      const team = await createTeam(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/teams/${team.id}`)).send({
        description: 42,
      });
      expectProblem(response, 422, { field: 'description' });
    });

    it('answers an unknown id with 404', async () => {
      const response = await asAdmin(http().patch(`/api/v1/teams/${UNKNOWN_ID}`)).send({
        name: uniqueName('Ghost'),
      });
      expectProblem(response, 404, { code: 'identity.team_not_found' });
    });
  });

  describe('remove', () => {
    it('deletes a team, keeps its members in the account, and audits team.deleted', async () => {
      const team = await createTeam(adminToken);
      const user = await newUser(server, adminToken, { teamIds: [team.id] });
      const response = await asAdmin(http().delete(`/api/v1/teams/${team.id}`));
      expect(response.status).toBe(204);
      expectProblem(await asAdmin(http().get(`/api/v1/teams/${team.id}`)), 404);
      const fetched = await asAdmin(http().get(`/api/v1/users/${user.id}`));
      expect(fetched.status).toBe(200);
      expect(fetched.body.teamIds).toEqual([]);
      const [event] = await auditEvents(server, adminToken, {
        targetId: team.id,
        action: 'team.deleted',
      });
      expect(event.metadata).toEqual({ before: { name: team.name } });
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/teams/${UNKNOWN_ID}`)), 404, {
        code: 'identity.team_not_found',
      });
    });
  });

  describe('members', () => {
    /** A team of two members, `first` and `second`, added together. */
    let team: TeamView;
    let first: CreatedUser;
    let second: CreatedUser;
    let added: Response;

    beforeAll(async () => {
      team = await createTeam(adminToken);
      first = await newUser(server, adminToken);
      second = await newUser(server, adminToken);
      added = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [first.id, second.id],
      });
    });

    it('adds users and audits team.members_added', async () => {
      const response = added;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: team.id, memberCount: 2 });
      const [event] = await auditEvents(server, adminToken, {
        targetId: team.id,
        action: 'team.members_added',
      });
      expect((event.metadata.userIds as string[]).sort()).toEqual([first.id, second.id].sort());
    });

    it('lists the members, and the users name the team', async () => {
      const { pages } = await walkPages<TeamMemberView>((after) =>
        asAdmin(http().get(`/api/v1/teams/${team.id}/members`)).query({
          limit: 1,
          ...(after ? { after } : {}),
        }),
      );
      expect(
        pages
          .flat()
          .map((m) => m.userId)
          .sort(),
      ).toEqual([first.id, second.id].sort());
      expect(pages.flat().find((m) => m.userId === first.id)).toMatchObject({ email: first.email });
      expect((await asAdmin(http().get(`/api/v1/users/${first.id}`))).body.teamIds).toEqual([
        team.id,
      ]);
    });

    it('leaves users already in the team as they are, without a new audit event', async () => {
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [first.id],
      });
      expect(response.status).toBe(200);
      expect(response.body.memberCount).toBe(2);
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('refuses unknown users with 422 naming the index, adding nobody', async () => {
      const third = await newUser(server, adminToken);
      const response = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [third.id, UNKNOWN_ID],
      });
      expectProblem(response, 422, { code: 'identity.user_not_found', field: 'userIds[1]' });
      expect((await asAdmin(http().get(`/api/v1/teams/${team.id}`))).body.memberCount).toBe(2);
    });

    it("refuses another account's users with 422 naming the index", async () => {
      const foreign = await newUser(server, other.token);
      const response = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [foreign.id],
      });
      expectProblem(response, 422, { field: 'userIds[0]' });
    });

    it('refuses an empty list with 422 naming userIds', async () => {
      const response = await asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({
        userIds: [],
      });
      expectProblem(response, 422, { field: 'userIds' });
    });

    it('removes a member and audits team.member_removed', async () => {
      // A team of its own: the others keep both members.
      const pair = await createTeam(adminToken);
      const staying = await newUser(server, adminToken);
      const leaving = await newUser(server, adminToken);
      await asAdmin(http().post(`/api/v1/teams/${pair.id}/members`)).send({
        userIds: [staying.id, leaving.id],
      });
      const response = await asAdmin(
        http().delete(`/api/v1/teams/${pair.id}/members/${leaving.id}`),
      );
      expect(response.status).toBe(204);
      expect((await asAdmin(http().get(`/api/v1/teams/${pair.id}`))).body.memberCount).toBe(1);
      const [event] = await auditEvents(server, adminToken, {
        targetId: pair.id,
        action: 'team.member_removed',
      });
      expect(event.metadata).toEqual({ userIds: [leaving.id] });
    });

    it('answers removing a non-member with 404, writing nothing', async () => {
      // A former member, of a team of its own: the others keep their members and audit events.
      const left = await createTeam(adminToken);
      const former = await newUser(server, adminToken);
      await asAdmin(http().post(`/api/v1/teams/${left.id}/members`)).send({
        userIds: [former.id],
      });
      await asAdmin(http().delete(`/api/v1/teams/${left.id}/members/${former.id}`));
      const head = await auditHead(server, adminToken);
      expectProblem(
        await asAdmin(http().delete(`/api/v1/teams/${left.id}/members/${former.id}`)),
        404,
      );
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('answers a non-UUID user id with 422 naming userId', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/teams/${team.id}/members/nope`)), 422, {
        field: 'userId',
      });
    });

    it("answers another account's team with 404 for members too", async () => {
      const foreign = await createTeam(other.token);
      expectProblem(await asAdmin(http().get(`/api/v1/teams/${foreign.id}/members`)), 404);
      expectProblem(
        await asAdmin(http().post(`/api/v1/teams/${foreign.id}/members`)).send({
          userIds: [first.id],
        }),
        404,
      );
      expectProblem(
        await asAdmin(http().delete(`/api/v1/teams/${foreign.id}/members/${first.id}`)),
        404,
      );
    });
  });

  describe('concurrent changes', () => {
    const ROUNDS = 5;

    it('never leave a user in a team deleted while they were added to it', async () => {
      const user = await newUser(server, adminToken);
      for (let i = 0; i < ROUNDS; i += 1) {
        const team = await createTeam(adminToken);
        await Promise.all([
          asAdmin(http().delete(`/api/v1/teams/${team.id}`)),
          asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({ userIds: [user.id] }),
        ]);
        const teamIds = (await asAdmin(http().get(`/api/v1/users/${user.id}`))).body
          .teamIds as string[];
        expect(teamIds).toEqual([]);
      }
    });

    it('never create a user in a team deleted at the same time', async () => {
      for (let i = 0; i < ROUNDS; i += 1) {
        const team = await createTeam(adminToken);
        const [, added] = await Promise.all([
          asAdmin(http().delete(`/api/v1/teams/${team.id}`)),
          asAdmin(http().post('/api/v1/users')).send({
            email: `race.${kind}.${i}.${team.id}@example.com`,
            displayName: 'Racer',
            teamIds: [team.id],
          }),
        ]);
        if (added.status === 201) {
          const teamIds = (await asAdmin(http().get(`/api/v1/users/${added.body.id}`))).body
            .teamIds as string[];
          expect(teamIds).toEqual([]);
        } else {
          expectProblem(added, 422, { field: 'teamIds[0]' });
        }
      }
    });

    it('never leave a team member who was removed from the account at the same time', async () => {
      const team = await createTeam(adminToken);
      for (let i = 0; i < ROUNDS; i += 1) {
        const user = await newUser(server, adminToken);
        await Promise.all([
          asAdmin(http().delete(`/api/v1/users/${user.id}`)),
          asAdmin(http().post(`/api/v1/teams/${team.id}/members`)).send({ userIds: [user.id] }),
        ]);
        const members = await asAdmin(http().get(`/api/v1/teams/${team.id}/members`)).query({
          limit: 100,
        });
        expect((members.body.results as TeamMemberView[]).map((m) => m.userId)).not.toContain(
          user.id,
        );
      }
    });
  });

  describe("another account's teams", () => {
    let foreign: TeamView;

    beforeAll(async () => {
      foreign = await createTeam(other.token);
    });

    it('answer get with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/teams/${foreign.id}`)), 404, {
        code: 'identity.team_not_found',
      });
    });

    it('answer update with 404 and stay unchanged', async () => {
      const response = await asAdmin(http().patch(`/api/v1/teams/${foreign.id}`)).send({
        name: uniqueName('Hijacked'),
      });
      expectProblem(response, 404, { code: 'identity.team_not_found' });
      const there = await http()
        .get(`/api/v1/teams/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.body.name).toBe(foreign.name);
    });

    it('answer remove with 404 and stay', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/teams/${foreign.id}`)), 404, {
        code: 'identity.team_not_found',
      });
      const there = await http()
        .get(`/api/v1/teams/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.status).toBe(200);
    });
  });

  describe('members without manage_teams', () => {
    it('can list and get teams and their members', async () => {
      const team = await createTeam(adminToken);
      const bearer = { type: 'bearer' } as const;
      expect((await http().get('/api/v1/teams').auth(member.token, bearer)).status).toBe(200);
      expect((await http().get(`/api/v1/teams/${team.id}`).auth(member.token, bearer)).status).toBe(
        200,
      );
      expect(
        (await http().get(`/api/v1/teams/${team.id}/members`).auth(member.token, bearer)).status,
      ).toBe(200);
    });

    it.each<[string, (team: TeamView) => Test]>([
      [
        'create',
        () =>
          http()
            .post('/api/v1/teams')
            .send({ name: uniqueName('Refused') }),
      ],
      [
        'update',
        (team) =>
          http()
            .patch(`/api/v1/teams/${team.id}`)
            .send({ name: uniqueName('Refused') }),
      ],
      ['remove', (team) => http().delete(`/api/v1/teams/${team.id}`)],
      [
        'add members',
        (team) =>
          http()
            .post(`/api/v1/teams/${team.id}/members`)
            .send({ userIds: [member.id] }),
      ],
      ['remove a member', (team) => http().delete(`/api/v1/teams/${team.id}/members/${member.id}`)],
    ])('get 403 on %s, and nothing is written', async (_label, send) => {
      const team = await createTeam(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await send(team).auth(member.token, { type: 'bearer' });
      expectProblem(response, 403, { code: 'core.privilege_required' });
      expect(response.body.privilege).toBe('manage_teams');
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await asAdmin(http().get(`/api/v1/teams/${team.id}`))).body).toEqual(team);
    });
  });
});
