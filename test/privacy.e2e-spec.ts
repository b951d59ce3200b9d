import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { auditEvents, expectProblem, newAccount, walkPages } from './support/api';
import { USER_PASSWORD } from './support/factories';
import { partnerWorld } from './support/partners';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 18 item 2 over HTTP: privacy requests with their calendar-month clock, and what a user
 * without the privilege, another account and a partner admin try; concurrent changes on PG.
 */

const DAY = 86_400_000;

interface RequestView {
  id: string;
  status: string;
  dueOn: string;
  receivedOn: string;
  extended: boolean;
  pausedDays: number;
  flag: string | null;
  assigneeUserId: string | null;
  possibleDuplicateOfId: string | null;
}

describe.each(testDatabaseKinds())('Privacy requests over HTTP on %s', (kind) => {
  let server: TestServer;
  let clock: FixedClock;
  let setup: Setup;
  let admin: Caller;
  let adminToken: string;
  /** Holds manage_privacy_requests only. */
  let handler: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Holds every CRM privilege on contacts, but not manage_privacy_requests. */
  let crmUser: Awaited<ReturnType<Setup['userWithRole']>>;

  const create = async (caller: Caller, body: object): Promise<RequestView> =>
    expectStatus(await caller.post('/api/v1/privacy-requests', body), 201).body as RequestView;

  beforeAll(async () => {
    // A Tuesday: 10 Mar 2026 + one month = Friday 10 Apr.
    clock = new FixedClock(new Date('2026-03-10T09:00:00.000Z'));
    server = await startTestServer(kind, { clock });
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    handler = await setup.userWithRole({ taskPrivileges: ['manage_privacy_requests'] });
    crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
      taskPrivileges: ['export', 'manage_consent'],
    });
  });

  afterAll(() => server?.close());

  /** Fresh tokens: tests run in random order and some move the clock past a token's life. */
  const signIn = async () => {
    adminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
    admin = callerOf(server, adminToken);
    handler.caller = callerOf(
      server,
      await server.login(handler.email, USER_PASSWORD, server.accountId),
    );
    crmUser.caller = callerOf(
      server,
      await server.login(crmUser.email, USER_PASSWORD, server.accountId),
    );
  };
  beforeEach(() => signIn());

  /** Moves the clock forward to `iso` (tests never move it back). */
  const moveTo = async (iso: string) => {
    clock.advance(Date.parse(iso) - clock.now().getTime());
    await signIn();
  };

  it('takes a request in with its due date, runs it through pause, extension and completion, audited', async () => {
    // A Tuesday a year after the start, later than any other test moves the clock.
    await moveTo('2027-03-09T09:00:00.000Z');
    const request = await create(handler.caller, {
      type: 'access',
      channel: 'email',
      subjectEmail: 'Ada@Example.com',
      assigneeUserId: handler.id,
    });
    expect(request).toMatchObject({
      status: 'received',
      receivedOn: '2027-03-09',
      dueOn: '2027-04-09',
      assigneeUserId: handler.id,
      flag: null,
    });
    const path = `/api/v1/privacy-requests/${request.id}`;
    expectStatus(await handler.caller.post(`${path}/transition`, { status: 'in_progress' }), 200);
    expectStatus(await handler.caller.post(`${path}/pause`), 200);
    clock.advance(3 * DAY);
    await signIn();
    const resumed = expectStatus(await handler.caller.post(`${path}/resume`), 200)
      .body as RequestView;
    expect(resumed).toMatchObject({ status: 'in_progress', pausedDays: 3, dueOn: '2027-04-12' });
    const extended = expectStatus(
      await handler.caller.post(`${path}/extend`, { reason: 'Records in three systems.' }),
      200,
    ).body as RequestView;
    expect(extended).toMatchObject({ status: 'extended', extended: true, dueOn: '2027-06-14' });
    expectProblem(await handler.caller.post(`${path}/extend`, { reason: 'Again.' }), 409, {
      code: 'privacy.already_extended',
      field: 'reason',
    });
    expectStatus(await handler.caller.post(`${path}/complete`, { note: 'Sent.' }), 200);
    expectProblem(await handler.caller.post(`${path}/refuse`, { reason: 'No.' }), 409, {
      code: 'privacy.wrong_status',
    });
    const actions = (await auditEvents(server, adminToken, { targetId: request.id })).map(
      (event) => event.action,
    );
    expect(actions.sort()).toEqual(
      [
        'privacy.request_received',
        'privacy.request_started',
        'privacy.request_paused',
        'privacy.request_resumed',
        'privacy.request_extended',
        'privacy.request_completed',
      ].sort(),
    );
    const metadata = JSON.stringify(
      (await auditEvents(server, adminToken, { targetId: request.id })).map((e) => e.metadata),
    );
    expect(metadata).not.toContain('example.com');
    expect(metadata).not.toContain('three systems');
  });

  it('flags overdue requests, lists them by flag in keyset pages, and names possible duplicates', async () => {
    const first = await create(admin, {
      type: 'erasure',
      channel: 'post',
      subjectEmail: 'bo@example.com',
    });
    const again = await create(admin, {
      type: 'erasure',
      channel: 'email',
      subjectEmail: 'BO@example.com',
    });
    expect(again.possibleDuplicateOfId).toBe(first.id);
    clock.advance(40 * DAY);
    await signIn();
    const overdue = await walkPages<RequestView>((after) =>
      admin.get('/api/v1/privacy-requests', {
        flag: 'overdue',
        limit: 1,
        ...(after ? { after } : {}),
      }),
    );
    const ids = overdue.pages.flat().map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([first.id, again.id]));
    expect(overdue.pages.flat().every((r) => r.flag === 'overdue')).toBe(true);
    const closed = expectStatus(
      await admin.post(`/api/v1/privacy-requests/${again.id}/mark-duplicate`, {
        duplicateOfId: first.id,
      }),
      200,
    ).body as RequestView;
    expect(closed).toMatchObject({ status: 'duplicate', flag: null });
    expectProblem(
      await admin.post(`/api/v1/privacy-requests/${first.id}/extend`, { reason: 'Late.' }),
      409,
      { code: 'privacy.extension_too_late', field: 'reason' },
    );
  });

  it('answers bad input with problem details naming the field', async () => {
    expectProblem(
      await admin.post('/api/v1/privacy-requests', { type: 'forget_me', channel: 'email' }),
      422,
      {
        field: 'type',
      },
    );
    expectProblem(
      await admin.post('/api/v1/privacy-requests', { type: 'access', channel: 'email' }),
      422,
      {
        code: 'privacy.invalid_input',
        field: 'subjectEmail',
      },
    );
    expectProblem(
      await admin.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: 'cy@example.com',
        receivedAt: new Date(clock.now().getTime() + DAY).toISOString(),
      }),
      422,
      { field: 'receivedAt' },
    );
    const request = await create(admin, {
      type: 'objection',
      channel: 'phone',
      subjectPhone: '+44 20 7946 0000',
    });
    // A member without the privilege is no assignee.
    expectProblem(
      await admin.post(`/api/v1/privacy-requests/${request.id}/assign`, {
        assigneeUserId: crmUser.id,
      }),
      422,
      { code: 'privacy.not_an_assignee', field: 'assigneeUserId' },
    );
    expectProblem(await admin.post(`/api/v1/privacy-requests/${request.id}/refuse`, {}), 422, {
      field: 'reason',
    });
  });

  it('attack: a user without the privilege gets 403 on every route', async () => {
    const request = await create(admin, {
      type: 'access',
      channel: 'email',
      subjectEmail: 'dee@example.com',
    });
    const path = `/api/v1/privacy-requests/${request.id}`;
    for (const response of [
      await crmUser.caller.get('/api/v1/privacy-requests'),
      await crmUser.caller.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: 'x@example.com',
      }),
      await crmUser.caller.get(path),
      await crmUser.caller.post(`${path}/assign`, { assigneeUserId: crmUser.id }),
      await crmUser.caller.post(`${path}/refuse`, { reason: 'No.' }),
    ]) {
      expectProblem(response, 403);
    }
    expect((await handler.caller.get(path)).status).toBe(200);
  });

  it("keeps the clock's time zone and holidays per account: privileged, audited, checked", async () => {
    // An account of its own: the settings would move the due dates the other tests expect.
    const own = await newAccount(server, adminToken, `Clock ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const caller = callerOf(server, own.token);
    expect(expectStatus(await caller.get('/api/v1/privacy-settings'), 200).body).toEqual({
      timeZone: 'UTC',
      holidays: [],
      updatedAt: null,
    });
    expectProblem(await caller.put('/api/v1/privacy-settings', { timeZone: 'Mars/Base' }), 422, {
      code: 'privacy.invalid_input',
      field: 'timeZone',
    });
    expectProblem(
      await caller.put('/api/v1/privacy-settings', { holidays: ['2026-04-10', '2026-04-31'] }),
      422,
      { field: 'holidays[1]' },
    );
    expectProblem(await crmUser.caller.put('/api/v1/privacy-settings', { timeZone: 'UTC' }), 403);
    expectProblem(await crmUser.caller.get('/api/v1/privacy-settings'), 403);
    const request = await create(caller, {
      type: 'access',
      channel: 'email',
      subjectEmail: 'hal@example.com',
    });
    const changed = expectStatus(
      await caller.put('/api/v1/privacy-settings', {
        timeZone: 'Europe/Berlin',
        holidays: [request.dueOn],
      }),
      200,
    ).body as { timeZone: string; deadlinesMoved: number };
    expect(changed).toMatchObject({ timeZone: 'Europe/Berlin', deadlinesMoved: 1 });
    const moved = expectStatus(await caller.get(`/api/v1/privacy-requests/${request.id}`), 200)
      .body as RequestView;
    expect([moved.receivedOn, moved.dueOn > request.dueOn]).toEqual([request.receivedOn, true]);
    const events = await auditEvents(server, own.token, { action: 'privacy.settings_updated' });
    expect(events.map((event) => event.metadata)).toEqual([
      { timeZone: 'Europe/Berlin', holidays: 1, deadlinesMoved: 1 },
    ]);
  });

  it("attack: another account's request is 404, and its list does not show it", async () => {
    const request = await create(admin, {
      type: 'access',
      channel: 'email',
      subjectEmail: 'eve@example.com',
    });
    const other = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const outsider = callerOf(server, other.token);
    expectProblem(await outsider.get(`/api/v1/privacy-requests/${request.id}`), 404, {
      code: 'privacy.request_not_found',
    });
    expectProblem(
      await outsider.post(`/api/v1/privacy-requests/${request.id}/refuse`, { reason: 'x' }),
      404,
    );
    const listed = expectStatus(await outsider.get('/api/v1/privacy-requests'), 200).body as {
      results: RequestView[];
    };
    expect(listed.results).toEqual([]);
  });

  it('attack: a partner admin never manages privacy requests, even with a role that names the privilege', async () => {
    const world = await partnerWorld(server, 1);
    await world.setSeats(1);
    const [employee] = world.employees;
    await world.admit(employee);
    const customer = await world.customer();
    const role = expectStatus(
      await customer.post('/api/v1/roles', {
        name: `privacy ${kind}`,
        privileges: [],
        taskPrivileges: ['manage_privacy_requests'],
      }),
      201,
    ).body as { id: string };
    expectStatus(
      await customer.post(`/api/v1/roles/${role.id}/assignments`, {
        principalType: 'user',
        principalId: employee.id,
      }),
      201,
    );
    const partner = await world.as(employee, world.customerAccountId);
    expectProblem(await partner.get('/api/v1/privacy-requests'), 403);
    // Nor is one assigned to them.
    const request = expectStatus(
      await customer.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: 'gil@example.com',
      }),
      201,
    ).body as { id: string };
    expectProblem(
      await customer.post(`/api/v1/privacy-requests/${request.id}/assign`, {
        assigneeUserId: employee.id,
      }),
      422,
      { code: 'privacy.not_an_assignee' },
    );
    expectProblem(
      await partner.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: 'x@example.com',
      }),
      403,
    );
  });

  it('applies exactly one of concurrent changes; the others get 409', async () => {
    const request = await create(admin, {
      type: 'restriction',
      channel: 'email',
      subjectEmail: 'fay@example.com',
    });
    const path = `/api/v1/privacy-requests/${request.id}`;
    expectStatus(await admin.post(`${path}/transition`, { status: 'in_progress' }), 200);
    const rounds = kind === 'postgres' ? 12 : 4;
    const responses = await Promise.all(
      Array.from({ length: rounds }, (_, i) =>
        i % 2 === 0
          ? handler.caller.post(`${path}/complete`, {})
          : handler.caller.post(`${path}/refuse`, { reason: `Reason ${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    const final = expectStatus(await admin.get(path), 200).body as RequestView;
    const winner = responses.find((r) => r.status === 200)?.body as RequestView;
    expect(final.status).toBe(winner.status);
    const closings = (await auditEvents(server, adminToken, { targetId: request.id })).filter(
      (event) => ['privacy.request_completed', 'privacy.request_refused'].includes(event.action),
    );
    expect(closings).toHaveLength(1);
  });

  const activity = (name: string, dataCategories: string[]) => ({
    name,
    purposes: ['Send the monthly newsletter'],
    lawfulBasis: 'consent',
    controller: 'Acme Ltd, privacy@acme.example',
    subjectCategories: ['customers'],
    dataCategories,
    recipients: ['Mail delivery provider'],
    retention: 'Until consent is withdrawn',
    securityMeasures: 'Encryption at rest, role-based access, audit log',
  });

  interface RegisterView {
    activities: {
      id: string;
      name: string;
      fields: { table: string; column: string; category: string }[];
    }[];
    processors: { name: string; kind: string }[];
  }

  it('keeps the register of processing activities and lists the registered fields per activity, as JSON and CSV', async () => {
    const created = expectStatus(
      await handler.caller.post(
        '/api/v1/privacy-activities',
        activity(`=Newsletter ${kind}`, ['user.contact.email']),
      ),
      201,
    ).body as { id: string };
    expectProblem(
      await handler.caller.post(
        '/api/v1/privacy-activities',
        activity('Bad', ['user.contact.emial']),
      ),
      422,
      { field: 'dataCategories[0]' },
    );
    expectProblem(
      await handler.caller.post(
        '/api/v1/privacy-activities',
        activity(`=Newsletter ${kind}`, ['user.name']),
      ),
      422,
      { code: 'privacy.duplicate_activity', field: 'name' },
    );
    const register = expectStatus(
      await handler.caller.get('/api/v1/privacy-activities/register'),
      200,
    ).body as RegisterView;
    const mine = register.activities.find((a) => a.id === created.id);
    const fields = (mine?.fields ?? []).map((f) => `${f.table}.${f.column}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'crm_contact.email',
        'consent_event.address',
        'privacy_request.subject_email',
        'identity_user.email',
        // Custom properties may hold any category.
        'crm_contact.custom',
      ]),
    );
    expect(fields).not.toContain('consent_event.ip');
    expect(fields).not.toContain('crm_contact.firstname');
    const csv = expectStatus(
      await handler.caller.get('/api/v1/privacy-activities/register', { format: 'csv' }),
      200,
    );
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const text = csv.text;
    expect(text.split('\r\n')[0]).toMatch(/^activity,purposes,lawful_basis,/);
    expect(text).toContain(`'=Newsletter ${kind}`);
    expect(text).toContain('crm_contact,email,user.contact.email');
    const replaced = expectStatus(
      await handler.caller
        .put(`/api/v1/privacy-activities/${created.id}`)
        .send(activity(`Newsletter ${kind}`, ['user.name'])),
      200,
    ).body as { name: string };
    expect(replaced.name).toBe(`Newsletter ${kind}`);
    expectStatus(await handler.caller.delete(`/api/v1/privacy-activities/${created.id}`), 204);
    expectProblem(await handler.caller.get(`/api/v1/privacy-activities/${created.id}`), 404, {
      code: 'privacy.activity_not_found',
    });
    const actions = (await auditEvents(server, adminToken, { targetId: created.id })).map(
      (e) => e.action,
    );
    expect(actions.sort()).toEqual([
      'privacy.activity_created',
      'privacy.activity_deleted',
      'privacy.activity_updated',
    ]);
  });

  it('attack: the register is closed to users without the privilege, and to other accounts', async () => {
    const created = expectStatus(
      await admin.post('/api/v1/privacy-activities', activity(`Sales ${kind}`, ['user.name'])),
      201,
    ).body as { id: string };
    expectProblem(await crmUser.caller.get('/api/v1/privacy-activities/register'), 403);
    expectProblem(
      await crmUser.caller.post('/api/v1/privacy-activities', activity('x', ['user.name'])),
      403,
    );
    const other = await newAccount(server, adminToken, `Register ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const outsider = callerOf(server, other.token);
    expectProblem(await outsider.get(`/api/v1/privacy-activities/${created.id}`), 404);
    expectProblem(await outsider.delete(`/api/v1/privacy-activities/${created.id}`), 404);
    const theirs = expectStatus(await outsider.get('/api/v1/privacy-activities/register'), 200)
      .body as RegisterView;
    expect(theirs.activities).toEqual([]);
  });

  it('lists the partner firms acting for the account as processors', async () => {
    const world = await partnerWorld(server, 1);
    await world.setSeats(1);
    await world.admit(world.employees[0]);
    const customer = await world.customer();
    const register = expectStatus(await customer.get('/api/v1/privacy-activities/register'), 200)
      .body as RegisterView;
    expect(register.processors).toEqual([
      { name: expect.stringMatching(/^Firm \d+$/), kind: 'partner_firm' },
    ]);
    const own = expectStatus(await admin.get('/api/v1/privacy-activities/register'), 200)
      .body as RegisterView;
    expect(own.processors).toEqual([]);
  });

  it('lists custom properties of contacts, companies and deals under the category given when they are defined', async () => {
    const name = `mobile_${kind}`;
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: `bad_${kind}`,
        label: 'Bad',
        type: 'string',
        dataCategory: 'user.contact.mobile',
      }),
      422,
      { field: 'dataCategory' },
    );
    const created = expectStatus(
      await admin.post('/api/v1/properties/contacts', {
        name,
        label: 'Mobile',
        type: 'string',
        dataCategory: 'user.contact.phone_number',
      }),
      201,
    ).body as { dataCategory: string };
    expect(created.dataCategory).toBe('user.contact.phone_number');
    for (const [objectType, table] of [
      ['companies', 'crm_company'],
      ['deals', 'crm_deal'],
    ]) {
      expectStatus(
        await admin.post(`/api/v1/properties/${objectType}`, {
          name: `${name}_${table}`,
          label: 'Contact person mobile',
          type: 'string',
          dataCategory: 'user.contact.phone_number',
        }),
        201,
      );
    }
    const activityId = (
      expectStatus(
        await admin.post(
          '/api/v1/privacy-activities',
          activity(`Calls ${kind}`, ['user.contact.phone_number']),
        ),
        201,
      ).body as { id: string }
    ).id;
    const listed = async () => {
      const register = expectStatus(await admin.get('/api/v1/privacy-activities/register'), 200)
        .body as {
        activities: {
          id: string;
          fields: { table: string; column: string; jsonKey: string | null }[];
        }[];
      };
      return register.activities
        .find((a) => a.id === activityId)!
        .fields.map((f) => `${f.table}.${f.column}${f.jsonKey ? `.${f.jsonKey}` : ''}`);
    };
    expect(await listed()).toEqual(
      expect.arrayContaining([
        'crm_contact.phone',
        `crm_contact.custom.${name}`,
        `crm_company.custom.${name}_crm_company`,
        `crm_deal.custom.${name}_crm_deal`,
      ]),
    );
    expectStatus(
      await admin.patch(`/api/v1/properties/contacts/${name}`, { dataCategory: null }),
      200,
    );
    expect(await listed()).not.toContain(`crm_contact.custom.${name}`);
  });
});
