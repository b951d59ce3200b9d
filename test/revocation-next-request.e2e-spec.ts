import { testDatabaseKinds } from '@custos/core/testing';
import {
  Setup,
  callerOf,
  expectStatus,
  type Caller,
  type RecordView,
} from './access/access-support';
import { expectProblem } from './support/api';
import { USER_PASSWORD } from './support/factories';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The attacks on anything a server keeps between requests (signed-in actors, abilities, access
 * versions): two instances on one database, each warmed with the victim's token first, then the
 * rights change through the OTHER instance and must apply on the very next request. And one
 * instance serving several people alternately never answers one with another's identity.
 */
describe.each(testDatabaseKinds())('revocations on two instances of one %s database', (kind) => {
  let a: TestServer;
  let b: TestServer;
  let setup: Setup;

  beforeAll(async () => {
    a = await startTestServer(kind);
    b = await startTestServer(kind, { sameDatabaseAs: a });
    setup = new Setup(a, await a.login());
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** The user's token as served by B, used a few times so that whatever B keeps is warm. */
  const warmOnB = async (token: string): Promise<Caller> => {
    const onB = callerOf(b, token);
    for (let i = 0; i < 3; i++) {
      expectStatus(await onB.get('/api/v1/me'), 200);
    }
    return onB;
  };

  it('sign-out everywhere on one instance ends the token on the other at its next request', async () => {
    const user = await setup.user();
    const onB = await warmOnB(user.token);
    expectStatus(await callerOf(a, user.token).post('/api/v1/me/sign-out-everywhere'), 204);
    expectProblem(await onB.get('/api/v1/me'), 401);
  });

  it('a removed member is refused on the other instance at the next request', async () => {
    const user = await setup.user();
    const onB = await warmOnB(user.token);
    expectStatus(await setup.admin.delete(`/api/v1/users/${user.id}`), 204);
    expectProblem(await onB.get('/api/v1/me'), 401);
    // Signing in again does not bring the old token back either.
    await expect(b.login(user.email, USER_PASSWORD)).rejects.toThrow();
    expectProblem(await onB.get('/api/v1/me'), 401);
  });

  it('a demoted super admin loses super-admin routes on the other instance at the next request', async () => {
    const user = await setup.user({ superAdmin: true });
    const onB = await warmOnB(user.token);
    expectStatus(await onB.get('/api/v1/api-keys'), 200);
    expectStatus(await setup.admin.patch(`/api/v1/users/${user.id}`, { superAdmin: false }), 200);
    // Revoking super admin ends the tokens; a fresh one carries the lower rights.
    expectProblem(await onB.get('/api/v1/api-keys'), 401);
    const fresh = callerOf(b, await b.login(user.email, USER_PASSWORD));
    expect(expectStatus(await fresh.get('/api/v1/me'), 200).body).toMatchObject({
      superAdmin: false,
    });
    expectProblem(await fresh.get('/api/v1/api-keys'), 403, {
      code: 'core.super_admin_required',
    });
  });

  it('a role downgrade on one instance applies on the other at the next request', async () => {
    const user = await setup.userWithRole({ taskPrivileges: ['view_audit_log'] });
    const onB = await warmOnB(user.token);
    for (let i = 0; i < 3; i++) {
      expectStatus(await onB.get('/api/v1/audit-log?limit=1'), 200);
    }
    expectStatus(
      await setup.admin.patch(`/api/v1/roles/${user.roleId}`, { taskPrivileges: [] }),
      200,
    );
    expectProblem(await onB.get('/api/v1/audit-log?limit=1'), 403, {
      code: 'core.privilege_required',
    });
  });

  it("what GET /me shows (read with its sign-in) follows the other instance's changes at the next request", async () => {
    const user = await setup.userWithRole({ taskPrivileges: ['view_audit_log'] });
    const onB = await warmOnB(user.token);
    expect(expectStatus(await onB.get('/api/v1/me'), 200).body).toMatchObject({
      teams: [],
      privileges: expect.arrayContaining(['view_audit_log']) as unknown,
    });
    const team = await setup.team();
    await setup.addToTeam(team, [user.id]);
    expectStatus(
      await setup.admin.patch(`/api/v1/roles/${user.roleId}`, { taskPrivileges: [] }),
      200,
    );
    const me = expectStatus(await onB.get('/api/v1/me'), 200).body as {
      teams: { id: string }[];
      privileges: string[];
    };
    expect(me.teams.map((t) => t.id)).toEqual([team]);
    expect(me.privileges).not.toContain('view_audit_log');
    await setup.removeFromTeam(team, user.id);
    expect(expectStatus(await onB.get('/api/v1/me'), 200).body).toMatchObject({ teams: [] });
  });

  it("a reader's searches, totals and reads on the other instance follow rule, field-permission and team changes at the next request", async () => {
    const { team, mate, reader: rep } = await setup.teamReader();
    const de = await setup.contact({ owner_id: mate.id, country: 'DE', jobtitle: 'Buyer' });
    const fr = await setup.contact({ owner_id: mate.id, country: 'FR', jobtitle: 'Buyer' });
    const onB = await warmOnB(rep.token);
    const sorted = { sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }], limit: 50 };
    /** The page (sorted, and in the default order), the total alone, and each read by id, on B. */
    const seenOnB = async () => {
      const pages = await Promise.all(
        [sorted, { limit: 50 }, { limit: 1 }].map(
          async (body) =>
            expectStatus(await onB.post('/api/v1/objects/contacts/search', body), 200).body as {
              total: number;
              results: RecordView[];
            },
        ),
      );
      const reads = await Promise.all(
        [de, fr].map(async (c) => (await onB.get(`/api/v1/objects/contacts/${c.id}`)).status),
      );
      return {
        ids: pages.slice(0, 2).map((page) => page.results.map((r) => r.id).sort()),
        totals: pages.map((page) => page.total),
        redacted: pages[0].results.map((r) => r.redacted.includes('jobtitle')),
        reads,
      };
    };
    for (let i = 0; i < 3; i++) {
      expect(await seenOnB()).toEqual({
        ids: [[de.id, fr.id].sort(), [de.id, fr.id].sort()],
        totals: [2, 2, 2],
        redacted: [false, false],
        reads: [200, 200],
      });
    }
    const rule = await setup.rule({ roleId: rep.roleId, condition: { country: 'DE' } });
    try {
      expect(await seenOnB()).toEqual({
        ids: [[de.id], [de.id]],
        totals: [1, 1, 1],
        redacted: [false],
        reads: [200, 404],
      });
      await setup.fieldPermissions('contacts', 'jobtitle', { view: [{ type: 'super_admins' }] });
      expect((await seenOnB()).redacted).toEqual([true]);
      await setup.removeFromTeam(team, rep.id);
      expect(await seenOnB()).toEqual({
        ids: [[], []],
        totals: [0, 0, 0],
        redacted: [],
        reads: [404, 404],
      });
    } finally {
      await setup.fieldPermissions('contacts', 'jobtitle', {});
      await setup.deleteRule(rule);
    }
  });

  it('a deactivated user is refused on the other instance at the next request', async () => {
    const user = await setup.user();
    const onB = await warmOnB(user.token);
    expectStatus(
      await setup.admin.patch(`/api/v1/users/${user.id}`, { status: 'deactivated' }),
      200,
    );
    expectProblem(await onB.get('/api/v1/me'), 401);
  });

  it('never answers one person with the identity or rights of another, however their requests interleave', async () => {
    const auditor = await setup.userWithRole({ taskPrivileges: ['view_audit_log'] });
    const plain = await setup.userWithRole({ taskPrivileges: [] });
    const people = [
      { user: auditor, onB: await warmOnB(auditor.token), audit: 200 },
      { user: plain, onB: await warmOnB(plain.token), audit: 403 },
    ];
    for (let round = 0; round < 5; round++) {
      for (const { user, onB, audit } of people) {
        const me = expectStatus(await onB.get('/api/v1/me'), 200).body as {
          user: { id: string; email: string };
        };
        expect(me.user).toMatchObject({ id: user.id, email: user.email });
        expect((await onB.get('/api/v1/audit-log?limit=1')).status).toBe(audit);
      }
    }
  });
});
