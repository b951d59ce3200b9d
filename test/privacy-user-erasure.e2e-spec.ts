import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { PrivacyErasures } from '@custos/privacy';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { createRecord } from './crm/crm-support';
import { expectProblem, newAccount } from './support/api';
import { newUser } from './support/factories';
import { canariesIn, databaseBytes } from './support/privacy-erasure';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 18 item 5 for a user subject over HTTP: a member who acted (audit events, a record they
 * created, a notification) is erased through the privacy request's erasure — deactivated at once,
 * their login and labels replaced — and the audit chain still verifies while nothing in the raw
 * database names them; who may not be erased is refused with nothing changed.
 */
describe.each(testDatabaseKinds())('Erasure of a user subject on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let setup: Setup;
  let tags = 0;
  const nextTag = () => `u${Date.now().toString(36)}${(tags += 1)}`;

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_JOB_POLL_MS: '50' } });
    const token = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
    admin = callerOf(server, token);
    setup = new Setup(server, token);
  });

  afterAll(() => server?.close());

  const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));

  /** An erasure request about `email`, in progress. */
  async function erasureRequest(as: Caller, email: string): Promise<string> {
    const request = expectStatus(
      await as.post('/api/v1/privacy-requests', {
        type: 'erasure',
        channel: 'email',
        subjectEmail: email,
      }),
      201,
    ).body as { id: string };
    expectStatus(
      await as.post(`/api/v1/privacy-requests/${request.id}/transition`, { status: 'in_progress' }),
      200,
    );
    return request.id;
  }

  async function completed(requestId: string): Promise<{ status: string; usersDone: number }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = expectStatus(
        await admin.get(`/api/v1/privacy-requests/${requestId}/erasure`),
        200,
      ).body as { status: string; usersDone: number };
      if (view.status === 'completed' || Date.now() > deadline) {
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('has an eraser for every registered source of users’ data', async () => {
    const plan = await server.app.get(PrivacyErasures).planOf(server.accountId);
    expect(plan.unreached).toEqual([]);
    expect(plan.userSteps.map((step) => step.source.key).sort()).toEqual([
      'audit.event',
      'core.notification',
      'crm.import',
      'exports.requester',
      'identity.membership',
      'identity.scim_user',
      'identity.support_access',
      'identity.user',
      'privacy.activity',
    ]);
  });

  it('erases a user who acted: deactivated, chain valid, nothing names them, their record stays', async () => {
    const tag = nextTag();
    const email = `canaryuser${tag}@staff.test`;
    const user = await newUser(server, setup.adminToken, { email });
    const role = await setup.role({
      privileges: [
        { objectType: 'contacts', action: 'create', level: 'account' },
        { objectType: 'contacts', action: 'read', level: 'account' },
      ],
    });
    await setup.assign(role.id, 'user', user.id);
    const acting = callerOf(server, user.token);
    const record = await createRecord(acting, 'contacts', { email: `${tag}@customer.test` });
    await server.dataSource.query(
      sql(
        'INSERT INTO custos_notification (id, account_id, recipient_user_id, kind, topic_id, refs, created_at, read_at) VALUES ($1, $2, $3, $4, NULL, $5, $6, NULL)',
      ),
      [newId(), server.accountId, user.id, 'test_notice', '{}', new Date().toISOString()],
    );

    // Before: the lookup by the user's email finds them; their name is in the database.
    const before = expectStatus(
      await admin.post('/api/v1/privacy-lookup', { email, limit: 100 }),
      200,
    ).body as { results: { source: string }[] };
    expect(before.results.map((item) => item.source)).toEqual(
      expect.arrayContaining(['identity.user', 'audit.event']),
    );
    const canaries = [`canaryuser${tag}`];
    expect(
      canariesIn(await databaseBytes(kind, server.dataSource, server.database.url), canaries),
    ).toEqual(canaries);

    const requestId = await erasureRequest(admin, email);
    const started = expectStatus(
      await admin.post(`/api/v1/privacy-requests/${requestId}/erasure`, {
        contactIds: [],
        userIds: [user.id],
        emails: [email],
      }),
      202,
    ).body as { usersTotal: number };
    expect(started.usersTotal).toBe(1);
    // Deactivated in the same request: the user's token is dead at once.
    expectProblem(await acting.get(`/api/v1/objects/contacts/${record.id}`), 401);
    await expect(completed(requestId)).resolves.toMatchObject({
      status: 'completed',
      usersDone: 1,
    });

    // The audit chain still verifies; the user's events show the erased label.
    const verified = expectStatus(await admin.get('/api/v1/audit-log/verify'), 200).body as {
      valid: boolean;
    };
    expect(verified.valid).toBe(true);
    const events = expectStatus(
      await admin.get(`/api/v1/audit-log?actorId=${user.id}&limit=100`),
      200,
    ).body as { results: { actor: { label: string } }[] };
    expect(events.results.length).toBeGreaterThan(0);
    expect(new Set(events.results.map((event) => event.actor.label))).toEqual(
      new Set(['(erased user)']),
    );

    // The record they created stays valid, still naming its creator by id only.
    expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200);
    const shown = expectStatus(await admin.get(`/api/v1/users/${user.id}`), 200).body as {
      email: string;
      displayName: string;
      status: string;
    };
    expect(shown).toMatchObject({ displayName: 'Erased user', status: 'deactivated' });
    expect(shown.email).toBe(`erased-${user.id}@erased.invalid`);
    const notifications = await server.dataSource.query<unknown[]>(
      sql('SELECT id FROM custos_notification WHERE recipient_user_id = $1'),
      [user.id],
    );
    expect(notifications).toEqual([]);

    // After: the lookup by the email finds nothing, and nothing in the raw database names them.
    const after = expectStatus(
      await admin.post('/api/v1/privacy-lookup', { email, limit: 100 }),
      200,
    ).body as { results: unknown[] };
    expect(after.results).toEqual([]);
    expect(
      canariesIn(await databaseBytes(kind, server.dataSource, server.database.url), canaries),
    ).toEqual([]);
    // The login is gone: the old password no longer signs in.
    await expect(server.login(email, 'irrelevant', server.accountId)).rejects.toThrow();
  }, 90_000);

  it('refuses the operator themself, a super admin for a non-super-admin, the last super admin', async () => {
    // An operator holding the privilege but not a super admin.
    const operator = await setup.userWithRole({ taskPrivileges: ['manage_privacy_requests'] });
    const superAdmin = await setup.user({ superAdmin: true });
    const requestId = await erasureRequest(operator.caller, superAdmin.email);
    const path = `/api/v1/privacy-requests/${requestId}/erasure`;

    expectProblem(
      await operator.caller.post(path, { contactIds: [], userIds: [superAdmin.id] }),
      403,
      { field: 'userIds[0]' },
    );
    expectProblem(
      await operator.caller.post(path, { contactIds: [], userIds: [operator.id] }),
      409,
      {
        field: 'userIds[0]',
      },
    );
    expectProblem(await operator.caller.post(path, { contactIds: [], userIds: [newId()] }), 404);
    // Nothing changed: the super admin still signs in and acts.
    const still = expectStatus(await admin.get(`/api/v1/users/${superAdmin.id}`), 200).body as {
      status: string;
      superAdmin: boolean;
    };
    expect(still).toMatchObject({ status: 'active', superAdmin: true });
    expectStatus(await callerOf(server, superAdmin.token).get('/api/v1/me'), 200);
    expectProblem(await admin.get(path), 404);
  }, 60_000);

  it('of two erasures of the last two super admins at once, one is refused and one remains', async () => {
    // A fresh account whose only super admins are the two (its founder, a member of other
    // accounts, removed).
    const account = await newAccount(server, setup.adminToken, `Two admins ${nextTag()}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const founder = expectStatus(await callerOf(server, account.token).get('/api/v1/me'), 200)
      .body as { user: { id: string } };
    const one = await newUser(server, account.token, { superAdmin: true });
    const second = await newUser(server, account.token, { superAdmin: true });
    const owner = callerOf(server, one.token);
    expectStatus(await owner.delete(`/api/v1/users/${founder.user.id}`), 204);
    const me = { user: { id: one.id } };
    const ownerEmail = one.email;
    const secondCaller = callerOf(server, second.token);
    const first = await erasureRequest(owner, second.email);
    const other = await erasureRequest(secondCaller, ownerEmail);
    const results = await Promise.all([
      owner.post(`/api/v1/privacy-requests/${first}/erasure`, {
        contactIds: [],
        userIds: [second.id],
      }),
      secondCaller.post(`/api/v1/privacy-requests/${other}/erasure`, {
        contactIds: [],
        userIds: [me.user.id],
      }),
    ]);
    const statuses = results.map((response) => response.status).sort();
    // Each refuses erasing themself first, so the race is over the other: one 202, one 409
    // (the second finds itself the last super admin, or already deactivated and its token dead).
    expect(statuses[0]).toBe(202);
    expect([401, 409]).toContain(statuses[1]);
    const admins = await server.dataSource.query<{ n: string | number }[]>(
      sql(
        "SELECT COUNT(*) AS n FROM identity_membership WHERE account_id = $1 AND super_admin = $2 AND status = 'active'",
      ),
      [account.accountId, kind === 'postgres' ? true : 1],
    );
    expect(Number(admins[0].n)).toBe(1);
  }, 60_000);
});
