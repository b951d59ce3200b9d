import { RequestContext, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { Membership, UserService } from '@custos/identity';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';
import { USER_PASSWORD, newUser } from './support/factories';

const ROUNDS = 25;

describe.each(testDatabaseKinds())('last super admin invariant on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
  });

  afterAll(async () => {
    await server.close();
  });

  async function activeSuperAdmins(accountId: string): Promise<number> {
    return server.dataSource
      .getRepository(Membership)
      .countBy({ accountId, superAdmin: true, status: 'active' });
  }

  async function auditCount(): Promise<number> {
    return Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM audit_event'))[0].n);
  }

  it.each([
    ['demoting', { superAdmin: false }],
    ['deactivating', { status: 'deactivated' }],
  ])('refuses %s the only super admin with 409 and changes nothing', async (_label, body) => {
    const me = await server.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' });
    const eventsBefore = await auditCount();
    const response = await server
      .http()
      .patch(`/api/v1/users/${me.body.user.id}`)
      .auth(adminToken, { type: 'bearer' })
      .send(body);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'identity.last_super_admin', status: 409 });
    expect(await activeSuperAdmins(server.accountId)).toBe(1);
    expect(await auditCount()).toBe(eventsBefore);
  });

  it('refuses removing the only super admin from the account', async () => {
    const me = await server.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' });
    const response = await server
      .http()
      .delete(`/api/v1/users/${me.body.user.id}`)
      .auth(adminToken, { type: 'bearer' });
    expect(response.status).toBe(409);
    expect(await activeSuperAdmins(server.accountId)).toBe(1);
  });

  it('lets a super admin step down once another one exists', async () => {
    const other = await newUser(server, adminToken, { superAdmin: true });
    const demoted = await server
      .http()
      .patch(`/api/v1/users/${other.id}`)
      .auth(other.token, { type: 'bearer' })
      .send({ superAdmin: false });
    expect(demoted.status).toBe(200);
    expect(demoted.body.superAdmin).toBe(false);
  });

  it(`keeps a super admin when two super admins demote each other over HTTP at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await server
        .http()
        .post('/api/v1/accounts')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: `Race ${round}` });
      const accountId = account.body.id as string;
      const aToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, accountId);
      const b = await newUser(server, aToken, { superAdmin: true });
      const bToken = await server.login(b.email, USER_PASSWORD, accountId);
      const aId = (await server.http().get('/api/v1/me').auth(aToken, { type: 'bearer' })).body.user
        .id as string;

      const [aDemotesB, bDemotesA] = await Promise.all([
        server
          .http()
          .patch(`/api/v1/users/${b.id}`)
          .auth(aToken, { type: 'bearer' })
          .send({ superAdmin: false }),
        server
          .http()
          .patch(`/api/v1/users/${aId}`)
          .auth(bToken, { type: 'bearer' })
          .send({ superAdmin: false }),
      ]);

      const statuses = [aDemotesB.status, bDemotesA.status].sort();
      // Exactly one wins. The loser gets 409 when both passed the privilege check before either
      // committed, or 401 when the winner had already committed (losing super admin ended the
      // loser's tokens), or 403 when it committed between the loser's sign-in and privilege check.
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect([401, 403, 409]).toContain(statuses.find((s) => s !== 200));
      expect(await activeSuperAdmins(accountId)).toBe(1);
    }
  });

  it(`serialises concurrent demotions inside the database: exactly one of each pair gets the conflict (${ROUNDS} rounds)`, async () => {
    // Drives the service directly as both actors so that both always pass the privilege check
    // and race inside their transactions: only the account row lock keeps the invariant.
    const context = server.app.get(RequestContext);
    const users = server.app.get(UserService);
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await server
        .http()
        .post('/api/v1/accounts')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: `Service race ${round}` });
      const accountId = account.body.id as string;
      const aToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, accountId);
      const b = await newUser(server, aToken, { superAdmin: true });
      const aId = (await server.http().get('/api/v1/me').auth(aToken, { type: 'bearer' })).body.user
        .id as string;
      const actorA: Actor = {
        kind: 'user',
        id: aId,
        userId: aId,
        accountId,
        label: ADMIN_EMAIL,
        superAdmin: true,
      };
      const actorB: Actor = {
        kind: 'user',
        id: b.id,
        userId: b.id,
        accountId,
        label: b.email,
        superAdmin: true,
      };

      const results = await Promise.allSettled([
        context.runAs(actorA, () => users.update(b.id, { superAdmin: false })),
        context.runAs(actorB, () => users.update(aId, { superAdmin: false })),
      ]);

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: 'identity.last_super_admin' });
      expect(await activeSuperAdmins(accountId)).toBe(1);
    }
  });
});
