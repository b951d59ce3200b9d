import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from './support/api';
import { USER_PASSWORD, newUser, uniqueEmail, type CreatedUser } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';
import {
  callerOf,
  createRecord,
  expectStatus,
  type Caller,
  type RecordView,
} from './crm/crm-support';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

interface GrantView {
  id: string;
  supportUser: { id: string | null; email: string; displayName: string | null };
  reason: string;
  grantedByUserId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedByUserId: string | null;
  status: 'active' | 'expired' | 'revoked';
}

describe.each(testDatabaseKinds())('support access on %s', (kind) => {
  let server: TestServer;
  const clock = new FixedClock(new Date());
  let admin: Caller;
  let adminToken: string;
  /** The support desk's own account, where support people are members. */
  let desk: { accountId: string; token: string };
  let contacts: RecordView[];

  const inFuture = (milliseconds: number) => new Date(clock.now().getTime() + milliseconds);

  /** A support person: a member of the support desk account only. */
  async function supportPerson(): Promise<CreatedUser> {
    return newUser(server, desk.token, { email: uniqueEmail('support') });
  }

  async function grant(
    person: { email: string },
    expiresAt = inFuture(2 * DAY_MS),
    reason = 'Ticket #4711: contacts list shows wrong owners',
  ): Promise<GrantView> {
    return expectStatus(
      await admin.post('/api/v1/support-access', {
        supportUserEmail: person.email,
        reason,
        expiresAt: expiresAt.toISOString(),
      }),
      201,
    ).body as GrantView;
  }

  const signInAsSupport = (person: { email: string }, accountId = server.accountId) =>
    server.http().post('/api/v1/auth/login').send({
      email: person.email,
      password: USER_PASSWORD,
      accountId,
    });

  async function supportCaller(person: { email: string }): Promise<Caller> {
    const response = expectStatus(await signInAsSupport(person), 200);
    return callerOf(server, (response.body as { accessToken: string }).accessToken);
  }

  beforeAll(async () => {
    server = await startTestServer(kind, { clock });
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    desk = await newAccount(server, adminToken, 'Support desk', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    contacts = [
      await createRecord(admin, 'contacts', { email: 'ada@example.com', firstname: 'Ada' }),
      await createRecord(admin, 'contacts', { email: 'alan@example.com', firstname: 'Alan' }),
    ];
  });

  afterAll(async () => {
    await server.close();
  });

  it('lets a support person view the account, only that one, change nothing, until revoked', async () => {
    const person = await supportPerson();
    const granted = await grant(person);
    expect(granted).toMatchObject({
      supportUser: { id: null, email: person.email, displayName: null },
      status: 'active',
      revokedAt: null,
    });
    const support = await supportCaller(person);
    const used = expectStatus(await admin.get('/api/v1/support-access', { limit: 100 }), 200)
      .body as { results: GrantView[] };
    expect(used.results.find((g) => g.id === granted.id)?.supportUser).toEqual({
      id: person.id,
      email: person.email,
      displayName: expect.any(String),
    });

    const me = expectStatus(await support.get('/api/v1/me'), 200).body;
    expect(me).toMatchObject({
      actor: { kind: 'support', id: person.id, label: person.email },
      account: { id: server.accountId },
      superAdmin: false,
      privileges: ['view_audit_log'],
    });

    const list = expectStatus(await support.get('/api/v1/objects/contacts'), 200).body as {
      results: RecordView[];
    };
    expect(list.results.map((r) => r.id)).toEqual(
      expect.arrayContaining(contacts.map((c) => c.id)),
    );
    const one = expectStatus(await support.get(`/api/v1/objects/contacts/${contacts[0].id}`), 200)
      .body as RecordView;
    expect(one.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada' });
    for (const path of [
      '/api/v1/objects/companies',
      '/api/v1/objects/deals',
      '/api/v1/properties/contacts',
      '/api/v1/users',
      '/api/v1/teams',
      '/api/v1/business-units',
      '/api/v1/accounts/current',
      '/api/v1/settings/sensitive-data',
      '/api/v1/audit-log',
    ]) {
      expect({ path, status: (await support.get(path)).status }).toEqual({ path, status: 200 });
    }

    const contact = `/api/v1/objects/contacts/${contacts[0].id}`;
    const refused: [string, () => ReturnType<Caller['get']>][] = [
      ['create a record', () => support.post('/api/v1/objects/contacts', { properties: {} })],
      ['update a record', () => support.patch(contact, { properties: { firstname: 'Eve' } })],
      ['delete a record', () => support.delete(contact)],
      ['create a segment', () => support.post('/api/v1/segments', { name: 'x' })],
      ['create a property', () => support.post('/api/v1/properties/contacts', { name: 'x' })],
      ['add a user', () => support.post('/api/v1/users', { email: 'x@example.com' })],
      ['rename the account', () => support.patch('/api/v1/accounts/current', { name: 'Mine' })],
      ['rename themself', () => support.patch('/api/v1/me', { displayName: 'Support' })],
      ['list roles', () => support.get('/api/v1/roles')],
      ['list API keys', () => support.get('/api/v1/api-keys')],
      ['list support access', () => support.get('/api/v1/support-access')],
      ['grant support access', () => support.post('/api/v1/support-access', {})],
    ];
    for (const [what, call] of refused) {
      const response = await call();
      expect({ what, status: response.status }).toEqual({ what, status: 403 });
      expectProblem(response, 403);
    }
    const unchanged = expectStatus(await admin.get(contact), 200).body as RecordView;
    expect(unchanged.properties.firstname).toBe('Ada');

    // A grant opens one account: the support person's other accounts need their own membership.
    const elsewhere = await newAccount(server, adminToken, 'Elsewhere', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    expectProblem(await signInAsSupport(person, elsewhere.accountId), 422, {
      code: 'identity.not_a_member',
      field: 'accountId',
    });

    const revoked = expectStatus(await admin.delete(`/api/v1/support-access/${granted.id}`), 200)
      .body as GrantView;
    expect(revoked).toMatchObject({ status: 'revoked', revokedByUserId: granted.grantedByUserId });
    expectProblem(await support.get('/api/v1/objects/contacts'), 401, {
      code: 'identity.invalid_token',
    });
    expectProblem(await signInAsSupport(person), 422, { code: 'identity.not_a_member' });
    // Their own account is untouched.
    expectStatus(await callerOf(server, person.token).get('/api/v1/me'), 200);
  });

  it('ends the session when the grant expires, though the token is still valid', async () => {
    const person = await supportPerson();
    const granted = await grant(person, inFuture(10 * MINUTE_MS));
    const support = await supportCaller(person);
    const ownAccount = callerOf(server, await server.login(person.email, USER_PASSWORD));
    expectStatus(await support.get('/api/v1/objects/contacts'), 200);

    clock.advance(11 * MINUTE_MS);

    expectStatus(await ownAccount.get('/api/v1/me'), 200);
    expectProblem(await support.get('/api/v1/objects/contacts'), 401);
    expectProblem(await signInAsSupport(person), 422, { code: 'identity.not_a_member' });
    const grants = expectStatus(await admin.get('/api/v1/support-access', { limit: 100 }), 200)
      .body as { results: GrantView[] };
    expect(grants.results.find((g) => g.id === granted.id)?.status).toBe('expired');
    // Expired grants do not block a new one.
    expect((await grant(person)).status).toBe('active');
  });

  it('ends the session when the support person is deactivated in their own account', async () => {
    const person = await supportPerson();
    await grant(person);
    const support = await supportCaller(person);
    expectStatus(await support.get('/api/v1/objects/contacts'), 200);
    expectStatus(
      await callerOf(server, desk.token).patch(`/api/v1/users/${person.id}`, {
        status: 'deactivated',
      }),
      200,
    );
    expectProblem(await support.get('/api/v1/objects/contacts'), 401);
  });

  it('lets only super admins in person grant, list and revoke', async () => {
    const person = await supportPerson();
    const granted = await grant(person);
    const member = callerOf(server, (await newUser(server, adminToken)).token);
    const key = expectStatus(
      await admin.post('/api/v1/api-keys', { name: 'Ops', scopes: ['manage_users'] }),
      201,
    ).body as { key: string };
    const app = callerOf(server, key.key);
    for (const caller of [member, app]) {
      expectProblem(
        await caller.post('/api/v1/support-access', {
          supportUserEmail: person.email,
          reason: 'x',
          expiresAt: inFuture(DAY_MS).toISOString(),
        }),
        403,
      );
      expectProblem(await caller.get('/api/v1/support-access'), 403);
      expectProblem(await caller.delete(`/api/v1/support-access/${granted.id}`), 403);
    }
    expect(
      (
        expectStatus(await admin.get('/api/v1/support-access', { limit: 100 }), 200).body as {
          results: GrantView[];
        }
      ).results.find((g) => g.id === granted.id)?.status,
    ).toBe('active');
  });

  it('refuses invalid grants, naming the field', async () => {
    const person = await supportPerson();
    const valid = {
      supportUserEmail: person.email,
      reason: 'Ticket #1',
      expiresAt: inFuture(DAY_MS).toISOString(),
    };
    const cases: [string, object, string, string?][] = [
      ['no reason', { ...valid, reason: undefined }, 'reason'],
      ['an empty reason', { ...valid, reason: '   ' }, 'reason'],
      ['a reason over 500 characters', { ...valid, reason: 'x'.repeat(501) }, 'reason'],
      ['no email', { ...valid, supportUserEmail: undefined }, 'supportUserEmail'],
      ['a malformed email', { ...valid, supportUserEmail: 'nobody' }, 'supportUserEmail'],
      ['no expiry', { ...valid, expiresAt: undefined }, 'expiresAt'],
      ['a malformed expiry', { ...valid, expiresAt: 'soon' }, 'expiresAt'],
      [
        'an expiry in the past',
        { ...valid, expiresAt: inFuture(-MINUTE_MS).toISOString() },
        'expiresAt',
        'identity.expiry_in_past',
      ],
      [
        'an expiry more than 30 days ahead',
        { ...valid, expiresAt: inFuture(31 * DAY_MS).toISOString() },
        'expiresAt',
        'identity.support_access_too_long',
      ],
    ];
    for (const [, body, field, code] of cases) {
      expectProblem(await admin.post('/api/v1/support-access', body), 422, { field, code });
    }

    const member = await newUser(server, adminToken);
    expectProblem(
      await admin.post('/api/v1/support-access', { ...valid, supportUserEmail: member.email }),
      409,
      { code: 'identity.support_user_is_member', field: 'supportUserEmail' },
    );
    expectProblem(
      await admin.post('/api/v1/support-access', { ...valid, supportUserEmail: ADMIN_EMAIL }),
      409,
      { code: 'identity.support_user_is_member' },
    );

    await grant(person);
    expectProblem(await admin.post('/api/v1/support-access', valid), 409, {
      code: 'identity.support_access_exists',
      field: 'supportUserEmail',
    });
    expectProblem(await admin.delete('/api/v1/support-access/not-an-id'), 422);
    expectProblem(
      await admin.delete('/api/v1/support-access/0193a6c4-7f1e-7c3a-9d1e-0000000000ff'),
      404,
      { code: 'identity.support_access_not_found' },
    );
  });

  it('audits grants, revocations and support sign-ins without secrets', async () => {
    const person = await supportPerson();
    const reason = 'Ticket #9000: import stuck';
    const granted = await grant(person, inFuture(DAY_MS), reason);
    const login = expectStatus(await signInAsSupport(person), 200).body as {
      accessToken: string;
    };
    expectStatus(await admin.delete(`/api/v1/support-access/${granted.id}`), 200);
    expectStatus(await admin.delete(`/api/v1/support-access/${granted.id}`), 200);

    const metadata = { supportUserEmail: person.email, expiresAt: granted.expiresAt, reason };
    const grantedEvents = await auditEvents(server, adminToken, { targetId: granted.id });
    expect(grantedEvents.map((e) => [e.action, e.actor.kind, e.metadata])).toEqual([
      ['support_access.revoked', 'user', metadata],
      ['support_access.granted', 'user', metadata],
    ]);
    const signIns = await auditEvents(server, adminToken, {
      action: 'auth.login_succeeded',
      targetId: person.id,
    });
    expect(signIns).toEqual([
      expect.objectContaining({
        actor: { kind: 'support', id: person.id, label: person.email },
        metadata: { method: 'password', supportAccess: true },
      }),
    ]);
    const written = JSON.stringify([grantedEvents, signIns, server.logs]);
    for (const secret of [USER_PASSWORD, login.accessToken, person.token]) {
      expect(written).not.toContain(secret);
    }
  });

  it("binds support to the account's record rules and field permissions", async () => {
    const person = await supportPerson();
    await grant(person);
    const support = await supportCaller(person);
    const rule = expectStatus(
      await admin.post('/api/v1/record-rules', {
        name: 'Hide Alan',
        objectType: 'contacts',
        actions: ['read'],
        effect: 'deny',
        condition: { firstname: 'Alan' },
      }),
      201,
    ).body as { id: string };
    const emailPermissions = '/api/v1/properties/contacts/email/permissions';
    const setEmailViewers = (view: { type: string }[]) =>
      server
        .http()
        .put(emailPermissions)
        .auth(adminToken, { type: 'bearer' })
        .send({ view, edit: [] });
    expectStatus(await setEmailViewers([{ type: 'super_admins' }]), 200);
    try {
      const list = expectStatus(await support.get('/api/v1/objects/contacts'), 200).body as {
        results: (RecordView & { redacted?: string[] })[];
      };
      const ids = list.results.map((r) => r.id);
      expect(ids).toContain(contacts[0].id);
      expect(ids).not.toContain(contacts[1].id);
      const ada = list.results.find((r) => r.id === contacts[0].id)!;
      expect(ada.properties.email).toBeUndefined();
      expect(ada.redacted).toContain('email');
      expectProblem(await support.get(`/api/v1/objects/contacts/${contacts[1].id}`), 404);
    } finally {
      expectStatus(await admin.delete(`/api/v1/record-rules/${rule.id}`), 204);
      expectStatus(await setEmailViewers([]), 200);
    }
  });
});
