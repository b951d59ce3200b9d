import { testDatabaseKinds } from '@custos/core/testing';
import { RequestContext, systemActor } from '@custos/core';
import {
  DRY_RUN_PAGE,
  PrivacyRetentionPolicy,
  RETENTION_BATCH,
  RetentionPolicies,
} from '@custos/privacy';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { createProperty, createRecord, createRecords, uniqueName } from './crm/crm-support';
import { expectProblem, newAccount, walkPages } from './support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

const LONG_AGO = '2020-01-01T00:00:00.000Z';

interface DryRun {
  candidates: number;
  outcomes: { deleted: number; anonymised: number };
  skippedRestricted: number;
  recordIds: string[];
  contactIds?: string[];
}

/**
 * Issue 18 item 8 over HTTP: retention policies select their contacts in SQL, a dry run reports
 * exactly what the run then changes, the run erases through the erasure engine (a closed-won
 * deal keeps its contact anonymised), consented, recent and restricted contacts stay, a rerun
 * and a run cut short then resumed change nothing twice; only privacy operators reach the routes.
 */
describe.each(testDatabaseKinds())('Retention policies on %s', (kind) => {
  let server: TestServer;
  let tags = 0;
  const nextTag = () => `r${Date.now().toString(36)}${(tags += 1)}`;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });

  afterAll(() => server?.close());

  const signIn = () => server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);

  /** A fresh account (its own contacts, so no other test's candidates), its admin. */
  async function freshAccount(): Promise<{ accountId: string; admin: Caller }> {
    const account = await newAccount(server, await signIn(), `Retention ${nextTag()}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    return { accountId: account.accountId, admin: callerOf(server, account.token) };
  }

  async function contact(admin: Caller, tag: string, name: string): Promise<string> {
    return (await createRecord(admin, 'contacts', { email: `${tag}.${name}@retention.test` })).id;
  }

  /** Makes contacts untouched since long ago (the clock of the test cannot wait two years). */
  async function age(ids: string[], column: 'updated_at' | 'archived_at' = 'updated_at') {
    const list = ids.map((_, i) => (kind === 'postgres' ? `$${i + 2}` : '?')).join(', ');
    await server.dataSource.query(
      `UPDATE crm_contact SET ${column} = ${kind === 'postgres' ? '$1' : '?'} WHERE id IN (${list})`,
      [LONG_AGO, ...ids],
    );
  }

  async function policy(admin: Caller, body: object): Promise<string> {
    return (
      expectStatus(
        await admin.post('/api/v1/privacy-retention-policies', {
          name: 'Lapsed contacts',
          objectType: 'contacts',
          condition: 'stale_without_consent',
          afterDays: 365,
          action: 'delete',
          ...body,
        }),
        201,
      ).body as { id: string }
    ).id;
  }

  const dryRun = async (admin: Caller, id: string): Promise<DryRun> =>
    expectStatus(await admin.post(`/api/v1/privacy-retention-policies/${id}/dry-run`), 200)
      .body as DryRun;

  /** The privacy log's entries of the policy: contact id → action. */
  async function logged(admin: Caller, policyId: string): Promise<Record<string, string>> {
    const page = expectStatus(
      await admin.get('/api/v1/privacy-log', { requestId: policyId, limit: 100 }),
      200,
    ).body as { results: { action: string; detail: { contactId: string } }[] };
    return Object.fromEntries(page.results.map((row) => [row.detail.contactId, row.action]));
  }

  const status = async (admin: Caller, id: string) =>
    (await admin.get(`/api/v1/objects/contacts/${id}`)).status;

  it('dry run reports exactly what the run changes; consented, recent and restricted contacts stay; a rerun changes nothing', async () => {
    const { admin } = await freshAccount();
    const tag = nextTag();
    const lapsed = await contact(admin, tag, 'lapsed');
    const contracted = await contact(admin, tag, 'contracted');
    const consented = await contact(admin, tag, 'consented');
    const recent = await contact(admin, tag, 'recent');
    const restricted = await contact(admin, tag, 'restricted');

    const deal = await createRecord(admin, 'deals', {
      dealname: `Contract ${tag}`,
      dealstage: 'closedwon',
      amount: 1200,
    });
    expectStatus(
      await admin.put(`/api/v1/objects/contacts/${contracted}/associations/deals/${deal.id}`),
      204,
    );
    const purpose = expectStatus(
      await admin.post('/api/v1/consent/purposes', {
        key: `letters_${tag}`,
        name: 'Letters',
        legalBasis: 'consent',
        channels: ['email'],
        notice: 'Yes, send me letters.',
      }),
      201,
    ).body as { id: string };
    expectStatus(
      await admin.post(`/api/v1/consent/contacts/${consented}/events`, {
        purposeId: purpose.id,
        channel: 'email',
        address: `${tag}.consented@retention.test`,
        status: 'granted',
        source: 'staff',
        noticeVersion: 1,
      }),
      201,
    );
    const ask = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'restriction',
        channel: 'email',
        subjectContactId: restricted,
      }),
      201,
    ).body as { id: string };
    expectStatus(await admin.post('/api/v1/privacy-restrictions', { requestId: ask.id }), 201);
    await age([lapsed, contracted, consented, restricted]);

    const id = await policy(admin, {});
    const before = await dryRun(admin, id);
    expect(before).toMatchObject({
      candidates: 2,
      outcomes: { deleted: 1, anonymised: 1 },
      skippedRestricted: 1,
    });
    expect(before.contactIds).toEqual([lapsed, contracted].sort());
    // The dry run changed nothing.
    expect(await status(admin, lapsed)).toBe(200);
    expect(await logged(admin, id)).toEqual({});

    await server.app.get(RetentionPolicies).runAll();
    expect(await logged(admin, id)).toEqual({
      [lapsed]: 'contact_deleted',
      [contracted]: 'contact_anonymised',
    });
    expect(await status(admin, lapsed)).toBe(404);
    const kept = expectStatus(await admin.get(`/api/v1/objects/contacts/${contracted}`), 200)
      .body as { properties: { email: string | null } };
    expect(kept.properties.email).not.toBe(`${tag}.contracted@retention.test`);
    for (const untouched of [consented, recent, restricted]) {
      expect(await status(admin, untouched)).toBe(200);
    }

    // Rerun: nothing left to do, nothing done twice.
    expect(await dryRun(admin, id)).toMatchObject({ candidates: 0, skippedRestricted: 1 });
    await server.app.get(RetentionPolicies).runAll();
    expect(Object.keys(await logged(admin, id))).toHaveLength(2);
    const run = expectStatus(await admin.get(`/api/v1/privacy-retention-policies/${id}`), 200)
      .body as { lastRunAt: string | null };
    expect(run.lastRunAt).not.toBeNull();

    // Audited: the policy, each erased contact with the policy, and each run with its counts.
    const audit = expectStatus(
      await admin.get('/api/v1/audit-log', { action: 'privacy.', limit: 100 }),
      200,
    ).body as { results: { action: string; targetId: string; metadata: object }[] };
    const events = audit.results.map((e) => [e.action, e.targetId]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['privacy.retention_policy_created', id],
        ['privacy.retention_dry_run', id],
        ['privacy.contact_erased', lapsed],
        ['privacy.contact_anonymised', contracted],
      ]),
    );
    expect(
      audit.results.filter((e) => e.action === 'privacy.retention_run').map((e) => e.metadata),
    ).toEqual([
      { deleted: 0, anonymised: 0 },
      { deleted: 1, anonymised: 1 },
    ]);
    expect(
      audit.results.find((e) => e.action === 'privacy.contact_erased')?.metadata,
    ).toMatchObject({ retentionPolicyId: id });
  }, 60_000);

  it('a run cut short continues where it stopped; archived contacts are anonymised on request', async () => {
    const { accountId, admin } = await freshAccount();
    const tag = nextTag();
    const archived = await Promise.all([1, 2, 3].map((i) => contact(admin, tag, `a${i}`)));
    const live = await contact(admin, tag, 'live');
    await age([...archived, live]);
    await age(archived, 'archived_at');
    const id = await policy(admin, { condition: 'archived', afterDays: 90, action: 'anonymise' });
    const dry = await dryRun(admin, id);
    expect(dry).toMatchObject({ candidates: 3, outcomes: { deleted: 0, anonymised: 3 } });
    expect(dry.contactIds).toEqual([...archived].sort());

    // A run stopped after its first contact (as a shutdown does) leaves the others to the next.
    let reads = 0;
    const stopping = {
      get aborted() {
        reads += 1;
        return reads > 1;
      },
    } as AbortSignal;
    const row = await server.dataSource.manager.findOneByOrFail(PrivacyRetentionPolicy, { id });
    await server.app
      .get(RequestContext)
      .runAs(systemActor(accountId), () => server.app.get(RetentionPolicies).run(row, stopping));
    expect(Object.keys(await logged(admin, id))).toHaveLength(1);
    expect((await dryRun(admin, id)).candidates).toBe(2);

    await server.app.get(RetentionPolicies).runAll();
    expect(await logged(admin, id)).toEqual(
      Object.fromEntries(archived.map((contactId) => [contactId, 'contact_anonymised'])),
    );
    expect(await status(admin, live)).toBe(200);
  }, 60_000);

  it('erases each contact once when two runs race, batch after batch', async () => {
    const { admin } = await freshAccount();
    const tag = nextTag();
    const count = RETENTION_BATCH + 20;
    const lapsed = (
      await createRecords(
        admin,
        'contacts',
        Array.from({ length: count }, (_, i) => ({ email: `${tag}.l${i}@retention.test` })),
      )
    ).map((record) => record.id);
    await age(lapsed);
    const id = await policy(admin, { action: 'anonymise' });
    const dry = await dryRun(admin, id);
    expect(dry).toMatchObject({ candidates: count, outcomes: { deleted: 0, anonymised: count } });
    expect(dry.contactIds).toEqual([...lapsed].sort().slice(0, DRY_RUN_PAGE));
    const policies = server.app.get(RetentionPolicies);
    await Promise.all([policies.runAll(), policies.runAll()]);
    const { pages } = await walkPages<{ detail: { contactId: string } }>((after) =>
      admin.get('/api/v1/privacy-log', { requestId: id, limit: 100, after }),
    );
    expect(
      pages
        .flat()
        .map((row) => row.detail.contactId)
        .sort(),
    ).toEqual([...lapsed].sort());
    expect((await dryRun(admin, id)).candidates).toBe(0);
  }, 120_000);

  it('deletes deals closed long ago but anonymises a closed-won one, and purges archived companies', async () => {
    const { admin } = await freshAccount();
    const note = uniqueName('deal_note');
    await createProperty(admin, 'deals', { name: note, label: 'Contact person', type: 'string' });
    const deal = async (dealstage: string, closedate: string) =>
      (
        await createRecord(admin, 'deals', {
          dealname: `Deal ${dealstage} ${closedate}`,
          dealstage,
          closedate,
          amount: 100,
          [note]: 'Ada Lovelace, +44 20 7946 0001',
        })
      ).id;
    const won = await deal('closedwon', '2020-01-01');
    const lost = await deal('closedlost', '2020-01-01');
    const lostLately = await deal('closedlost', new Date().toISOString().slice(0, 10));
    const open = await deal('appointmentscheduled', '2020-01-01');
    const id = await policy(admin, {
      name: 'Deals closed over a year ago',
      objectType: 'deals',
      condition: 'closed',
      afterDays: 365,
    });
    const dry = await dryRun(admin, id);
    expect(dry).toMatchObject({
      candidates: 2,
      outcomes: { deleted: 1, anonymised: 1 },
      skippedRestricted: 0,
      recordIds: [won, lost].sort(),
    });
    expect(dry.contactIds).toBeUndefined();

    await server.app.get(RetentionPolicies).runAll();
    expect((await admin.get(`/api/v1/objects/deals/${lost}`)).status).toBe(404);
    const kept = expectStatus(await admin.get(`/api/v1/objects/deals/${won}`), 200).body as {
      properties: Record<string, unknown>;
    };
    // The contract stays with its business fields; the field that named a person is emptied.
    expect(kept.properties).toMatchObject({ dealstage: 'closedwon', amount: 100 });
    expect(kept.properties[note] ?? null).toBeNull();
    const history = expectStatus(
      await admin.get(`/api/v1/objects/deals/${won}/history`, { property: note }),
      200,
    ).body as { results: unknown[] };
    expect(history.results).toEqual([]);
    for (const untouched of [lostLately, open]) {
      expect((await admin.get(`/api/v1/objects/deals/${untouched}`)).status).toBe(200);
    }
    const log = expectStatus(
      await admin.get('/api/v1/privacy-log', { requestId: id, limit: 100 }),
      200,
    ).body as { results: { action: string; detail: { recordId: string; blockers: string[] } }[] };
    expect(
      Object.fromEntries(
        log.results.map((e) => [e.detail.recordId, [e.action, e.detail.blockers]]),
      ),
    ).toEqual({
      [won]: ['record_anonymised', ['crm.closed_won_deals']],
      [lost]: ['record_deleted', []],
    });
    const audit = expectStatus(
      await admin.get('/api/v1/audit-log', { action: 'privacy.', limit: 100 }),
      200,
    ).body as { results: { action: string; targetId: string; metadata: object }[] };
    const erased = audit.results.filter((e) => e.action.startsWith('privacy.record_'));
    expect(erased.map((e) => [e.action, e.targetId]).sort()).toEqual(
      [
        ['privacy.record_anonymised', won],
        ['privacy.record_erased', lost],
      ].sort(),
    );
    expect(erased[0].metadata).toMatchObject({ retentionPolicyId: id });
    expect((await dryRun(admin, id)).candidates).toBe(0);

    // Companies: archived long ago → deleted; a live one stays.
    const archived = (await createRecord(admin, 'companies', { name: uniqueName('old firm') })).id;
    const live = (await createRecord(admin, 'companies', { name: uniqueName('firm') })).id;
    await server.dataSource.query(
      `UPDATE crm_company SET archived_at = ${kind === 'postgres' ? '$1' : '?'} WHERE id = ${kind === 'postgres' ? '$2' : '?'}`,
      [LONG_AGO, archived],
    );
    const companies = await policy(admin, {
      objectType: 'companies',
      condition: 'archived',
      afterDays: 90,
    });
    expect(await dryRun(admin, companies)).toMatchObject({ candidates: 1, recordIds: [archived] });
    await server.app.get(RetentionPolicies).runAll();
    const [{ n }] = await server.dataSource.query<{ n: string | number }[]>(
      `SELECT COUNT(*) AS n FROM crm_company WHERE id = ${kind === 'postgres' ? '$1' : '?'}`,
      [archived],
    );
    expect(Number(n)).toBe(0);
    expect((await admin.get(`/api/v1/objects/companies/${live}`)).status).toBe(200);
    // Companies do not close.
    expectProblem(
      await admin.post('/api/v1/privacy-retention-policies', {
        name: 'Closed firms',
        objectType: 'companies',
        condition: 'closed',
        afterDays: 30,
        action: 'delete',
      }),
      422,
      { field: 'condition' },
    );
  }, 60_000);

  it('deletes closed-won deals once their legal period is over and companies without activity; the dry run names exactly that', async () => {
    const { admin } = await freshAccount();
    const at = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
    const deal = async (dealstage: string, closedate: string) =>
      (await createRecord(admin, 'deals', { dealname: `Deal ${closedate}`, dealstage, closedate }))
        .id;
    // Ten years after closing: 2010's contract is past its period, 2020's is not.
    const wonLongAgo = await deal('closedwon', '2010-01-01');
    const wonWithinPeriod = await deal('closedwon', '2020-01-01');
    const lost = await deal('closedlost', '2020-01-01');
    const deals = await policy(admin, {
      objectType: 'deals',
      condition: 'closed',
      afterDays: 365,
      legalPeriodYears: 10,
    });
    const dry = await dryRun(admin, deals);
    expect(dry).toMatchObject({
      candidates: 3,
      outcomes: { deleted: 2, anonymised: 1 },
      recordIds: [wonLongAgo, wonWithinPeriod, lost].sort(),
    });

    // Companies: one quiet for long, one whose deal changed lately, one whose deal is old too.
    const company = async () =>
      (await createRecord(admin, 'companies', { name: uniqueName('firm') })).id;
    const [quiet, busy, oldDealOnly, fresh] = [
      await company(),
      await company(),
      await company(),
      await company(),
    ];
    const recentDeal = await deal('appointmentscheduled', '2027-01-01');
    const oldDeal = await deal('appointmentscheduled', '2019-01-01');
    for (const [from, to] of [
      [busy, recentDeal],
      [oldDealOnly, oldDeal],
    ]) {
      expectStatus(
        await admin.put(`/api/v1/objects/companies/${from}/associations/deals/${to}`, {}),
        204,
      );
    }
    await server.dataSource.query(
      `UPDATE crm_company SET updated_at = ${at(1)} WHERE id IN (${at(2)}, ${at(3)}, ${at(4)})`,
      [LONG_AGO, quiet, busy, oldDealOnly],
    );
    await server.dataSource.query(
      `UPDATE crm_deal SET updated_at = ${at(1)}, created_at = ${at(2)} WHERE id = ${at(3)}`,
      [LONG_AGO, LONG_AGO, oldDeal],
    );
    const companies = await policy(admin, {
      objectType: 'companies',
      condition: 'inactive',
      afterDays: 365,
    });
    const dryCompanies = await dryRun(admin, companies);
    expect(dryCompanies).toMatchObject({
      candidates: 2,
      outcomes: { deleted: 2, anonymised: 0 },
      recordIds: [quiet, oldDealOnly].sort(),
    });

    await server.app.get(RetentionPolicies).runAll();
    // What each run did, from its log and its audit event, is what its dry run said.
    for (const [id, report] of [
      [deals, dry],
      [companies, dryCompanies],
    ] as const) {
      const log = expectStatus(
        await admin.get('/api/v1/privacy-log', { requestId: id, limit: 100 }),
        200,
      ).body as { results: { action: string; detail: { recordId: string } }[] };
      expect(log.results.map((e) => e.detail.recordId).sort()).toEqual(report.recordIds);
      const count = (action: string) => log.results.filter((e) => e.action === action).length;
      expect({ deleted: count('record_deleted'), anonymised: count('record_anonymised') }).toEqual(
        report.outcomes,
      );
      const runs = expectStatus(
        await admin.get('/api/v1/audit-log', { action: 'privacy.retention_run', targetId: id }),
        200,
      ).body as { results: { metadata: object }[] };
      expect(runs.results.map((e) => e.metadata)).toEqual([report.outcomes]);
    }
    for (const [gone, type] of [
      [wonLongAgo, 'deals'],
      [lost, 'deals'],
      [quiet, 'companies'],
      [oldDealOnly, 'companies'],
    ]) {
      expect((await admin.get(`/api/v1/objects/${type}/${gone}`)).status).toBe(404);
    }
    for (const [kept, type] of [
      [wonWithinPeriod, 'deals'],
      [busy, 'companies'],
      [fresh, 'companies'],
      [oldDeal, 'deals'],
    ]) {
      expect((await admin.get(`/api/v1/objects/${type}/${kept}`)).status).toBe(200);
    }

    // The legal period belongs to deals; deals are not `inactive`.
    expectProblem(
      await admin.patch(`/api/v1/privacy-retention-policies/${companies}`, {
        legalPeriodYears: 10,
      }),
      422,
      { field: 'legalPeriodYears' },
    );
    expectProblem(
      await admin.patch(`/api/v1/privacy-retention-policies/${deals}`, { legalPeriodYears: 0 }),
      422,
      { field: 'legalPeriodYears' },
    );
    expectProblem(
      await admin.patch(`/api/v1/privacy-retention-policies/${deals}`, { condition: 'inactive' }),
      422,
      { field: 'condition' },
    );
    const cleared = expectStatus(
      await admin.patch(`/api/v1/privacy-retention-policies/${deals}`, { legalPeriodYears: null }),
      200,
    ).body as { legalPeriodYears: number | null };
    expect(cleared.legalPeriodYears).toBeNull();
  }, 60_000);

  it('refuses what it must: no privilege, another account, bad input naming the field', async () => {
    const { admin } = await freshAccount();
    const id = await policy(admin, {});
    const setup = new Setup(server, await signIn());
    const crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'delete', level: 'account' }],
      taskPrivileges: ['manage_consent'],
    });
    expectProblem(await crmUser.caller.get('/api/v1/privacy-retention-policies'), 403);
    expectProblem(
      await crmUser.caller.post('/api/v1/privacy-retention-policies', {
        name: 'Everything',
        objectType: 'contacts',
        condition: 'archived',
        afterDays: 1,
        action: 'delete',
      }),
      403,
    );
    // Another account's policy is not found, whatever the route.
    const other = callerOf(server, await signIn());
    expectProblem(await other.get(`/api/v1/privacy-retention-policies/${id}`), 404);
    expectProblem(await other.post(`/api/v1/privacy-retention-policies/${id}/dry-run`), 404);
    expectProblem(await other.delete(`/api/v1/privacy-retention-policies/${id}`), 404);

    for (const [field, value] of [
      ['afterDays', 0],
      ['condition', 'whenever'],
      ['action', 'shred'],
      ['objectType', 'tickets'],
      // Contacts do not close: `closed` is a condition of deals.
      ['condition', 'closed'],
    ] as const) {
      expectProblem(
        await admin.post('/api/v1/privacy-retention-policies', {
          name: 'Bad',
          objectType: 'contacts',
          condition: 'archived',
          afterDays: 30,
          action: 'delete',
          [field]: value,
        }),
        422,
        { field },
      );
    }
    expectProblem(
      await admin.patch(`/api/v1/privacy-retention-policies/${id}`, { afterDays: 'soon' }),
      422,
      { field: 'afterDays' },
    );
    const changed = expectStatus(
      await admin.patch(`/api/v1/privacy-retention-policies/${id}`, { enabled: false }),
      200,
    ).body as { enabled: boolean; afterDays: number };
    expect(changed).toMatchObject({ enabled: false, afterDays: 365 });
    expectStatus(await admin.delete(`/api/v1/privacy-retention-policies/${id}`), 204);
    expectProblem(await admin.get(`/api/v1/privacy-retention-policies/${id}`), 404);
  }, 60_000);
});
