import type { Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { User } from '@custos/identity';
import { auditEvents, auditHead, expectProblem, newAccount, walkPages } from './support/api';
import { USER_PASSWORD, newUser, uniqueEmail, type CreatedUser } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

interface UserView {
  id: string;
  email: string;
  displayName: string;
  superAdmin: boolean;
  status: string;
  businessUnitId: string;
  teamIds: string[];
}

const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

describe.each(testDatabaseKinds())('users API on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let rootUnitId: string;
  let other: { accountId: string; token: string };
  let member: CreatedUser;
  let apiKey: string;

  const http = () => server.http();
  const asAdmin = (req: Test): Test => req.auth(adminToken, { type: 'bearer' });
  const createTeam = async (token: string, name: string): Promise<string> => {
    const response = await http()
      .post('/api/v1/teams')
      .auth(token, { type: 'bearer' })
      .send({ name });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const createUnit = async (token: string, name: string): Promise<string> => {
    const response = await http()
      .post('/api/v1/business-units')
      .auth(token, { type: 'bearer' })
      .send({ name });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const loginCount = (email: string) => server.dataSource.getRepository(User).countBy({ email });

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    const units = await asAdmin(http().get('/api/v1/business-units'));
    rootUnitId = (units.body.results as { id: string; parentId: string | null }[]).find(
      (u) => u.parentId === null,
    )!.id;
    member = await newUser(server, adminToken);
    const key = await asAdmin(http().post('/api/v1/api-keys')).send({
      name: 'User sync',
      scopes: ['manage_users', 'view_audit_log'],
    });
    expect(key.status).toBe(201);
    apiKey = key.body.key as string;
    // Last, because the admin then belongs to two accounts and must name one to sign in.
    other = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  describe('list', () => {
    it('walks every page with paging.next.after, without duplicates or omissions', async () => {
      const tag = `page${Date.now().toString(36)}`;
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const response = await asAdmin(http().post('/api/v1/users')).send({
          email: `${tag}.${i}@example.com`,
          displayName: `Page ${i}`,
        });
        expect(response.status).toBe(201);
        created.push(response.body.id as string);
      }
      const { pages } = await walkPages<UserView>((after) =>
        asAdmin(http().get('/api/v1/users')).query({
          email: tag,
          limit: 2,
          ...(after ? { after } : {}),
        }),
      );
      const ids = pages.flat().map((u) => u.id);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...created].sort());
    });

    it('walks the whole account with the default filter and finds every user once', async () => {
      const all = await asAdmin(http().get('/api/v1/users')).query({ limit: 100 });
      expect(all.status).toBe(200);
      const { pages } = await walkPages<UserView>((after) =>
        asAdmin(http().get('/api/v1/users')).query({ limit: 3, ...(after ? { after } : {}) }),
      );
      const ids = pages.flat().map((u) => u.id);
      expect(ids).toEqual((all.body.results as UserView[]).map((u) => u.id));
    });

    it('filters by email prefix, case-insensitively', async () => {
      const user = await newUser(server, adminToken, { email: uniqueEmail('prefix') });
      const response = await asAdmin(http().get('/api/v1/users')).query({
        email: user.email.slice(0, -6).toUpperCase(),
      });
      expect(response.status).toBe(200);
      expect((response.body.results as UserView[]).map((u) => u.id)).toEqual([user.id]);
    });

    it('treats _ in the email filter as a literal, not a wildcard', async () => {
      const tag = `us${Date.now().toString(36)}`;
      const literal = await newUser(server, adminToken, { email: `${tag}_x@example.com` });
      await newUser(server, adminToken, { email: `${tag}ax@example.com` });
      const response = await asAdmin(http().get('/api/v1/users')).query({ email: `${tag}_` });
      expect((response.body.results as UserView[]).map((u) => u.id)).toEqual([literal.id]);
    });

    it('treats % in the email filter as a literal, not a wildcard', async () => {
      const tag = `pc${Date.now().toString(36)}`;
      const literal = await newUser(server, adminToken, { email: `${tag}%x@example.com` });
      await newUser(server, adminToken, { email: `${tag}abcx@example.com` });
      const response = await asAdmin(http().get('/api/v1/users')).query({ email: `${tag}%x` });
      expect((response.body.results as UserView[]).map((u) => u.id)).toEqual([literal.id]);
    });

    it('refuses a forged cursor with 422 naming after', async () => {
      const response = await asAdmin(http().get('/api/v1/users')).query({
        after: 'bm90LWEtY3Vyc29y',
      });
      expectProblem(response, 422, { code: 'core.invalid_cursor', field: 'after' });
    });

    it('refuses a limit above the maximum with 422 naming limit', async () => {
      const response = await asAdmin(http().get('/api/v1/users')).query({ limit: 101 });
      expectProblem(response, 422, { field: 'limit' });
    });
  });

  describe('get', () => {
    it('returns a user of the account', async () => {
      const response = await asAdmin(http().get(`/api/v1/users/${member.id}`));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: member.id,
        email: member.email,
        superAdmin: false,
        status: 'active',
        businessUnitId: rootUnitId,
        teamIds: [],
      });
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/users/${UNKNOWN_ID}`)), 404, {
        code: 'identity.user_not_found',
      });
    });

    it('answers a non-UUID id with 422 naming userId', async () => {
      expectProblem(await asAdmin(http().get('/api/v1/users/not-a-uuid')), 422, {
        field: 'userId',
      });
    });
  });

  describe('create', () => {
    it('invites a new login that accepts by signing in, and audits user.added with the new state', async () => {
      const email = uniqueEmail('new');
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: email.toUpperCase(),
        displayName: 'New Person',
        password: USER_PASSWORD,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        email,
        displayName: 'New Person',
        superAdmin: false,
        status: 'invited',
        businessUnitId: rootUnitId,
        teamIds: [],
      });
      expect(JSON.stringify(response.body)).not.toContain(USER_PASSWORD);
      await expect(server.login(email, USER_PASSWORD)).resolves.toEqual(expect.any(String));
      const accepted = await asAdmin(http().get(`/api/v1/users/${response.body.id}`));
      expect(accepted.body).toMatchObject({ status: 'active', displayName: 'New Person' });
      const events = await auditEvents(server, adminToken, {
        targetId: response.body.id as string,
        action: 'user.',
      });
      expect(events).toEqual([
        expect.objectContaining({
          action: 'user.invitation_accepted',
          targetType: 'user',
          metadata: { invitedAs: response.body.id },
        }),
        expect.objectContaining({
          action: 'user.added',
          targetType: 'user',
          metadata: {
            after: {
              status: 'invited',
              superAdmin: false,
              businessUnitId: rootUnitId,
              teamIds: [],
            },
          },
        }),
      ]);
    });

    it('places the user in the given teams and business unit', async () => {
      const teamId = await createTeam(adminToken, `Create teams ${Date.now()}`);
      const unitId = await createUnit(adminToken, `Create unit ${Date.now()}`);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: uniqueEmail('placed'),
        displayName: 'Placed',
        teamIds: [teamId],
        businessUnitId: unitId,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ teamIds: [teamId], businessUnitId: unitId });
      const fetched = await asAdmin(http().get(`/api/v1/users/${response.body.id}`));
      expect(fetched.body).toMatchObject({ teamIds: [teamId], businessUnitId: unitId });
    });

    it('invites the existing login of another account, which accepts with its own password', async () => {
      const elsewhere = await newUser(server, other.token);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: elsewhere.email,
        displayName: 'Partner',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'invited', displayName: 'Partner' });
      // Until acceptance the account knows the invitation under an id of its own.
      expect(response.body.id).not.toBe(elsewhere.id);
      await expect(server.login(elsewhere.email, USER_PASSWORD, server.accountId)).resolves.toEqual(
        expect.any(String),
      );
      expectProblem(await asAdmin(http().get(`/api/v1/users/${response.body.id}`)), 404);
      expect((await asAdmin(http().get(`/api/v1/users/${elsewhere.id}`))).body).toMatchObject({
        status: 'active',
      });
      expect(await loginCount(elsewhere.email)).toBe(1);
    });

    it('refuses a user who is already a member with 409 naming email, writing nothing', async () => {
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: member.email,
        displayName: 'Again',
      });
      expectProblem(response, 409, { code: 'identity.already_member', field: 'email' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await asAdmin(http().get(`/api/v1/users/${member.id}`))).body.displayName).not.toBe(
        'Again',
      );
    });

    it('leaves the password of an existing login as it is when the inviter gives one', async () => {
      const elsewhere = await newUser(server, other.token);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: elsewhere.email,
        displayName: 'Hijack',
        password: 'another password of mine',
      });
      expect(response.status).toBe(201);
      await expect(
        server.login(elsewhere.email, 'another password of mine', server.accountId),
      ).rejects.toThrow(/401/);
      await expect(server.login(elsewhere.email, USER_PASSWORD, other.accountId)).resolves.toEqual(
        expect.any(String),
      );
    });

    it('refuses unknown teamIds with 422 naming the index, writing nothing', async () => {
      const teamId = await createTeam(adminToken, `Known team ${Date.now()}`);
      const email = uniqueEmail('teamless');
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email,
        displayName: 'Teamless',
        password: USER_PASSWORD,
        teamIds: [teamId, UNKNOWN_ID],
      });
      expectProblem(response, 422, { code: 'identity.team_not_found', field: 'teamIds[1]' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await loginCount(email)).toBe(0);
    });

    it("refuses another account's team with 422 naming the index", async () => {
      const foreignTeam = await createTeam(other.token, `Foreign team ${Date.now()}`);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: uniqueEmail(),
        displayName: 'X',
        teamIds: [foreignTeam],
      });
      expectProblem(response, 422, { field: 'teamIds[0]' });
    });

    it('refuses an unknown businessUnitId with 422 naming it, writing nothing', async () => {
      const email = uniqueEmail('unitless');
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email,
        displayName: 'Unitless',
        businessUnitId: UNKNOWN_ID,
      });
      expectProblem(response, 422, {
        code: 'identity.business_unit_not_found',
        field: 'businessUnitId',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await loginCount(email)).toBe(0);
    });

    it("refuses another account's business unit with 422 naming businessUnitId", async () => {
      const foreignUnit = await createUnit(other.token, `Foreign unit ${Date.now()}`);
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: uniqueEmail(),
        displayName: 'X',
        businessUnitId: foreignUnit,
      });
      expectProblem(response, 422, { field: 'businessUnitId' });
    });

    it('refuses an invalid email with 422 naming email', async () => {
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: 'not-an-email',
        displayName: 'X',
      });
      expectProblem(response, 422, { code: 'core.validation_failed', field: 'email' });
    });

    it('refuses a too-short password with 422 naming password', async () => {
      const response = await asAdmin(http().post('/api/v1/users')).send({
        email: uniqueEmail(),
        displayName: 'X',
        password: 'short',
      });
      expectProblem(response, 422, { field: 'password' });
    });

    it.each([
      ['accountId', UNKNOWN_ID],
      ['id', UNKNOWN_ID],
      ['passwordHash', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'],
    ])(
      'refuses mass assignment of %s with 422 naming it, writing nothing',
      async (property, value) => {
        const email = uniqueEmail('mass');
        const head = await auditHead(server, adminToken);
        const response = await asAdmin(http().post('/api/v1/users')).send({
          email,
          displayName: 'Mass',
          [property]: value,
        });
        expectProblem(response, 422, { code: 'core.validation_failed', field: property });
        expect(await auditHead(server, adminToken)).toBe(head);
        expect(await loginCount(email)).toBe(0);
      },
    );
  });

  describe('update', () => {
    let target: CreatedUser;

    beforeAll(async () => {
      target = await newUser(server, adminToken);
    });

    it("refuses to rename another person's login with 422: the name belongs to them (PATCH /me)", async () => {
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/users/${target.id}`)).send({
        displayName: 'Renamed Person',
      });
      expectProblem(response, 422, { field: 'displayName' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('lets a person rename themself, audited as user.renamed with before/after', async () => {
      const response = await http()
        .patch('/api/v1/me')
        .auth(target.token, { type: 'bearer' })
        .send({ displayName: 'Renamed Person' });
      expect(response.status).toBe(200);
      expect(response.body.user.displayName).toBe('Renamed Person');
      expect((await asAdmin(http().get(`/api/v1/users/${target.id}`))).body.displayName).toBe(
        'Renamed Person',
      );
      const [event] = await auditEvents(server, adminToken, {
        targetId: target.id,
        action: 'user.renamed',
      });
      expect(event).toMatchObject({ metadata: { after: { displayName: 'Renamed Person' } } });
    });

    it('moves the user to another business unit and audits before/after', async () => {
      const unitId = await createUnit(adminToken, `Move target ${Date.now()}`);
      const response = await asAdmin(http().patch(`/api/v1/users/${target.id}`)).send({
        businessUnitId: unitId,
      });
      expect(response.status).toBe(200);
      expect(response.body.businessUnitId).toBe(unitId);
      const [event] = await auditEvents(server, adminToken, {
        targetId: target.id,
        action: 'user.updated',
      });
      expect(event.metadata).toEqual({
        before: { businessUnitId: rootUnitId },
        after: { businessUnitId: unitId },
      });
    });

    it('deactivates the user and audits the status change', async () => {
      const user = await newUser(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/users/${user.id}`)).send({
        status: 'deactivated',
      });
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('deactivated');
      const [event] = await auditEvents(server, adminToken, {
        targetId: user.id,
        action: 'user.updated',
      });
      expect(event.metadata).toEqual({
        before: { status: 'active' },
        after: { status: 'deactivated' },
      });
    });

    it('lets a super admin grant super admin, audited as user.updated and user.super_admin_granted', async () => {
      const user = await newUser(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/users/${user.id}`)).send({
        superAdmin: true,
      });
      expect(response.status).toBe(200);
      expect(response.body.superAdmin).toBe(true);
      const actions = (
        await auditEvents(server, adminToken, { targetId: user.id, action: 'user.' })
      ).map((e) => e.action);
      expect(actions).toEqual([
        'user.super_admin_granted',
        'user.updated',
        'user.invitation_accepted',
        'user.added',
      ]);
      const [updated] = await auditEvents(server, adminToken, {
        targetId: user.id,
        action: 'user.updated',
      });
      expect(updated.metadata).toEqual({
        before: { superAdmin: false },
        after: { superAdmin: true },
      });
    });

    it('refuses an unknown businessUnitId with 422 naming it, writing nothing', async () => {
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/users/${target.id}`)).send({
        businessUnitId: UNKNOWN_ID,
      });
      expectProblem(response, 422, { field: 'businessUnitId' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('refuses an unknown status with 422 naming status', async () => {
      const response = await asAdmin(http().patch(`/api/v1/users/${target.id}`)).send({
        status: 'banned',
      });
      expectProblem(response, 422, { field: 'status' });
    });

    it('answers an unknown id with 404', async () => {
      const response = await asAdmin(http().patch(`/api/v1/users/${UNKNOWN_ID}`)).send({
        status: 'deactivated',
      });
      expectProblem(response, 404, { code: 'identity.user_not_found' });
    });

    it.each([
      ['accountId', UNKNOWN_ID],
      ['id', UNKNOWN_ID],
      ['passwordHash', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'],
      ['email', 'someone.else@example.com'],
    ])(
      'refuses mass assignment of %s with 422 naming it, writing nothing',
      async (property, value) => {
        const head = await auditHead(server, adminToken);
        const response = await asAdmin(http().patch(`/api/v1/users/${target.id}`)).send({
          displayName: 'Mass Assigned',
          [property]: value,
        });
        expectProblem(response, 422, { code: 'core.validation_failed', field: property });
        expect(await auditHead(server, adminToken)).toBe(head);
        expect((await asAdmin(http().get(`/api/v1/users/${target.id}`))).body.displayName).not.toBe(
          'Mass Assigned',
        );
      },
    );
  });

  describe('remove', () => {
    it('removes the user from the account and audits user.removed with the former state', async () => {
      const user = await newUser(server, adminToken);
      const response = await asAdmin(http().delete(`/api/v1/users/${user.id}`));
      expect(response.status).toBe(204);
      expectProblem(await asAdmin(http().get(`/api/v1/users/${user.id}`)), 404);
      const [event] = await auditEvents(server, adminToken, {
        targetId: user.id,
        action: 'user.removed',
      });
      expect(event.metadata).toEqual({ before: { superAdmin: false } });
    });

    it('keeps the login and the memberships of other accounts', async () => {
      const elsewhere = await newUser(server, other.token);
      const added = await asAdmin(http().post('/api/v1/users')).send({
        email: elsewhere.email,
        displayName: 'Twice',
      });
      expect(added.status).toBe(201);
      expect((await asAdmin(http().delete(`/api/v1/users/${added.body.id}`))).status).toBe(204);
      const there = await http()
        .get(`/api/v1/users/${elsewhere.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.status).toBe(200);
      await expect(server.login(elsewhere.email, USER_PASSWORD)).resolves.toEqual(
        expect.any(String),
      );
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/users/${UNKNOWN_ID}`)), 404, {
        code: 'identity.user_not_found',
      });
    });
  });

  describe('members without manage_users', () => {
    it('can list users', async () => {
      const response = await http().get('/api/v1/users').auth(member.token, { type: 'bearer' });
      expect(response.status).toBe(200);
      expect((response.body.results as UserView[]).length).toBeGreaterThan(0);
    });

    it('can get a user', async () => {
      const response = await http()
        .get(`/api/v1/users/${member.id}`)
        .auth(member.token, { type: 'bearer' });
      expect(response.status).toBe(200);
    });

    it('get 403 when creating a user, and nothing is written', async () => {
      const email = uniqueEmail('refused');
      const head = await auditHead(server, adminToken);
      const response = await http()
        .post('/api/v1/users')
        .auth(member.token, { type: 'bearer' })
        .send({ email, displayName: 'Refused' });
      expectProblem(response, 403, { code: 'core.privilege_required' });
      expect(response.body.privilege).toBe('manage_users');
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await loginCount(email)).toBe(0);
    });

    it('get 403 when updating a user, and nothing is written', async () => {
      const head = await auditHead(server, adminToken);
      const response = await http()
        .patch(`/api/v1/users/${member.id}`)
        .auth(member.token, { type: 'bearer' })
        .send({ businessUnitId: rootUnitId });
      expectProblem(response, 403, { code: 'core.privilege_required' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('get 403 when removing a user, and nothing is written', async () => {
      const head = await auditHead(server, adminToken);
      const response = await http()
        .delete(`/api/v1/users/${member.id}`)
        .auth(member.token, { type: 'bearer' });
      expectProblem(response, 403, { code: 'core.privilege_required' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await asAdmin(http().get(`/api/v1/users/${member.id}`))).status).toBe(200);
    });
  });

  describe('actors with manage_users who are not super admins', () => {
    it('can add an ordinary user', async () => {
      const response = await http()
        .post('/api/v1/users')
        .set('X-API-Key', apiKey)
        .send({ email: uniqueEmail('by-app'), displayName: 'By App' });
      expect(response.status).toBe(201);
      expect(response.body.superAdmin).toBe(false);
    });

    it('cannot add a super admin: 403 naming superAdmin, and nothing is written', async () => {
      const email = uniqueEmail('would-be-admin');
      const head = await auditHead(server, adminToken);
      const response = await http()
        .post('/api/v1/users')
        .set('X-API-Key', apiKey)
        .send({ email, displayName: 'Would Be', superAdmin: true });
      expectProblem(response, 403, { code: 'identity.super_admin_required', field: 'superAdmin' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await loginCount(email)).toBe(0);
    });

    it('cannot grant super admin: 403 naming superAdmin, and nothing is written', async () => {
      const head = await auditHead(server, adminToken);
      const response = await http()
        .patch(`/api/v1/users/${member.id}`)
        .set('X-API-Key', apiKey)
        .send({ superAdmin: true });
      expectProblem(response, 403, { code: 'identity.super_admin_required', field: 'superAdmin' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await asAdmin(http().get(`/api/v1/users/${member.id}`))).body.superAdmin).toBe(false);
    });
  });

  describe("another account's users", () => {
    let foreign: CreatedUser;

    beforeAll(async () => {
      foreign = await newUser(server, other.token);
    });

    it('are absent from the list', async () => {
      const response = await asAdmin(http().get('/api/v1/users')).query({ email: foreign.email });
      expect(response.status).toBe(200);
      expect(response.body.results).toEqual([]);
    });

    it('answer get with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/users/${foreign.id}`)), 404, {
        code: 'identity.user_not_found',
      });
    });

    it('answer update with 404 and stay unchanged', async () => {
      const response = await asAdmin(http().patch(`/api/v1/users/${foreign.id}`)).send({
        status: 'deactivated',
      });
      expectProblem(response, 404, { code: 'identity.user_not_found' });
      const there = await http()
        .get(`/api/v1/users/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.body.status).toBe('active');
    });

    it('answer remove with 404 and stay members there', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/users/${foreign.id}`)), 404, {
        code: 'identity.user_not_found',
      });
      const there = await http()
        .get(`/api/v1/users/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.status).toBe(200);
    });

    it("leave no trace in this account's audit log", async () => {
      expect(await auditEvents(server, adminToken, { targetId: foreign.id })).toEqual([]);
      expect(
        (await auditEvents(server, other.token, { targetId: foreign.id, action: 'user.' })).map(
          (e) => e.action,
        ),
      ).toEqual(['user.invitation_accepted', 'user.added']);
    });
  });
});
