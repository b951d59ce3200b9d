import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { testDatabaseKinds } from '@custos/core/testing';
import {
  Setup,
  callerOf,
  expectStatus,
  type Caller,
  type PrivilegeInput,
} from './access/access-support';
import { createProperty, createRecords, uniqueName } from './crm/crm-support';
import { auditEvents, expectProblem, newAccount } from './support/api';
import {
  contactsExport,
  csvRowsById,
  downloadExport,
  exportCount,
  exportedFile,
  historyExport,
  jobCount,
  jobsOf,
  parseCsv,
  placeholder,
  requestExport,
  searchedRows,
  sha256Of,
  waitForExport,
  type ExportView,
  type ExportingUser,
} from './support/exports';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 15 over HTTP: ask → 202 → poll → download; approvals; and what an attacker with one
 * delegated privilege tries. The export content oracle is the search API of the same user.
 */

const CANARY = 'CANARY-ssn-7c1f9e';

const contacts = (action: string, level: string): PrivilegeInput => ({
  objectType: 'contacts',
  action,
  level,
});

describe.each(testDatabaseKinds())('Exports over HTTP on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let setup: Setup;
  let admin: Caller;
  let adminId: string;
  let ssn: string;
  let pts: string;
  /** Reads and exports every contact; may read `pts`. */
  let accountExporter: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads every contact, exports only their own. */
  let ownExporter: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads and exports only leads (a record rule on both), may not read `pts`. */
  let ruledExporter: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Holds `approve_exports`, nothing else. */
  let approver: Awaited<ReturnType<Setup['userWithRole']>>;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    adminId = (expectStatus(await admin.get('/api/v1/me'), 200).body as { user: { id: string } })
      .user.id;
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    ssn = uniqueName('ssn');
    pts = uniqueName('pts');
    await createProperty(admin, 'contacts', { name: pts, label: pts, type: 'number' });
    await createProperty(admin, 'contacts', {
      name: ssn,
      label: ssn,
      type: 'string',
      sensitivity: { highlySensitive: false },
    });
    const exportTask = { taskPrivileges: ['export'] };
    accountExporter = await setup.userWithRole({
      privileges: [contacts('read', 'account'), contacts('export', 'account')],
      ...exportTask,
    });
    ownExporter = await setup.userWithRole({
      privileges: [contacts('read', 'account'), contacts('export', 'own')],
      ...exportTask,
    });
    ruledExporter = await setup.userWithRole({
      privileges: [contacts('read', 'account'), contacts('export', 'account')],
      ...exportTask,
    });
    approver = await setup.userWithRole({ taskPrivileges: ['approve_exports'] });
    await setup.rule({
      roleId: ruledExporter.roleId,
      actions: ['read', 'export'],
      condition: { lifecyclestage: 'lead' },
    });
    await setup.fieldPermissions('contacts', ssn, { view: [{ type: 'super_admins' }] });
    await setup.fieldPermissions('contacts', pts, {
      view: [{ type: 'role', id: accountExporter.roleId }, { type: 'super_admins' }],
    });
    const owners = [adminId, ownExporter.id, accountExporter.id];
    const stages = ['lead', 'customer', null];
    await createRecords(
      admin,
      'contacts',
      Array.from({ length: 12 }, (_, i) => ({
        email: i === 5 ? '=HYPERLINK("x")@e.test' : `c${i}@exports.e2e.test`,
        country: i % 2 === 0 ? 'DE' : 'FR',
        lifecyclestage: stages[i % 3],
        owner_id: owners[i % 3],
        [pts]: i % 4 === 0 ? null : i - 6,
        [ssn]: i === 3 ? CANARY : null,
      })),
    );
  });

  afterAll(async () => server?.close());

  const csvRows = (bytes: Buffer, properties: string[]) =>
    csvRowsById(bytes, ['record_id', ...properties]);

  function exportAndDownload(
    user: ExportingUser,
    properties: string[],
    filterGroups: unknown[],
    format = 'csv',
  ): Promise<{ done: ExportView; bytes: Buffer }> {
    return exportedFile(server, user, contactsExport(properties, { filterGroups, format }));
  }

  describe('the flow: ask, poll, download', () => {
    const byCountry = [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }];

    type Exporter = Awaited<ReturnType<Setup['userWithRole']>>;
    const everyRow = (): boolean => true;
    it.each<[string, () => Exporter, (row: string[]) => boolean]>([
      ['account-level exporter', () => accountExporter, everyRow],
      ['rule-restricted exporter', () => ruledExporter, everyRow],
      ['own-level exporter', () => ownExporter, (row) => row[2] === ownExporter.id],
    ])(
      'a CSV of an %s holds exactly their search results, and its download is audited with its SHA-256',
      async (_name, who, exportable) => {
        const user = who();
        const properties = ['email', 'lifecyclestage', 'owner_id'];
        const { done, bytes } = await exportAndDownload(user, properties, byCountry);
        const expected = new Map(
          [...(await searchedRows(user.caller, properties, byCountry))].filter(([, row]) =>
            exportable(row),
          ),
        );
        expect(expected.size).toBeGreaterThan(0);
        expect(csvRows(bytes, properties)).toEqual(expected);
        expect(done.rowsTotal).toBe(expected.size);
        const downloads = await auditEvents(server, adminToken, {
          action: 'export.downloaded',
          targetId: done.id,
        });
        expect(downloads).toHaveLength(1);
        expect(downloads[0].metadata.sha256).toBe(sha256Of(bytes));
        expect(downloads[0].actor.id).toBe(user.id);
        // The export's receipt names the same bytes.
        expect(done.sha256).toBe(sha256Of(bytes));
      },
    );

    it('for random roles and rules, the CSV is the search narrowed to what the role may export', async () => {
      const properties = ['email', 'lifecyclestage', 'owner_id', 'country'];
      const conditions = [{ lifecyclestage: 'lead' }, { country: { $ne: 'FR' } }];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('own', 'account'),
          fc.option(fc.constantFrom(0, 1), { nil: undefined }),
          fc.boolean(),
          async (level, rule, filtered) => {
            const user = await setup.userWithRole({
              privileges: [contacts('read', 'account'), contacts('export', level)],
              taskPrivileges: ['export'],
            });
            // A record of their own, so that `own` has something to export.
            await setup.contact({ owner_id: user.id, country: 'DE', lifecyclestage: 'lead' });
            if (rule !== undefined) {
              await setup.rule({
                roleId: user.roleId,
                actions: ['read', 'export'],
                condition: conditions[rule],
              });
            }
            const filterGroups = filtered ? byCountry : [];
            const { bytes } = await exportAndDownload(user, properties, filterGroups);
            const expected = [
              ...(await searchedRows(user.caller, properties, filterGroups)),
            ].filter(([, row]) => level === 'account' || row[2] === user.id);
            expect(csvRows(bytes, properties)).toEqual(new Map(expected));
          },
        ),
        { numRuns: 4 },
      );
    });

    it('numbers keep their value and a formula stays inert in the CSV', async () => {
      const properties = ['email', pts];
      const { bytes } = await exportAndDownload(accountExporter, properties, []);
      const cells = parseCsv(bytes).slice(1);
      expect(cells.map((row) => row[1])).toContain(`'=HYPERLINK("x")@e.test`);
      expect(cells.map((row) => row[2])).toEqual(expect.arrayContaining(['-5', '5', '']));
    });

    it('an XLSX export downloads as a workbook whose audit event carries its SHA-256', async () => {
      const { done, bytes } = await exportAndDownload(accountExporter, ['email'], [], 'xlsx');
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      const [event] = await auditEvents(server, adminToken, {
        action: 'export.downloaded',
        targetId: done.id,
      });
      expect(event.metadata).toMatchObject({ sha256: sha256Of(bytes), format: 'xlsx' });
    });
  });

  describe('attacks', () => {
    it("someone else's file is 404, a super admin's download included; an expired file is 410", async () => {
      const { done } = await exportAndDownload(accountExporter, ['email'], []);
      const jobsBefore = await jobCount(server);
      for (const token of [ownExporter.token, approver.token, adminToken]) {
        expectProblem(await downloadExport(server, token, done.id), 404);
      }
      await server.dataSource.query(
        `UPDATE custos_export SET file_expires_at = ${placeholder(server, 1)}
          WHERE id = ${placeholder(server, 2)}`,
        [new Date(Date.now() - 60_000).toISOString(), done.id],
      );
      expectProblem(await downloadExport(server, accountExporter.token, done.id), 410, {
        code: 'exports.file_expired',
      });
      expect(await jobCount(server)).toBe(jobsBefore);
    });

    it.each([
      ['an unreadable property', 403, () => contactsExport(['email', pts]), undefined],
      [
        'an unknown object type',
        404,
        () => ({ ...contactsExport(['email']), selection: { objectType: 'planets' } }),
        undefined,
      ],
      [
        'an unknown segment',
        404,
        () => ({
          ...contactsExport(['email']),
          selection: { objectType: 'contacts', segmentId: randomUUID() },
        }),
        undefined,
      ],
      [
        'an unreadable property in a history export',
        403,
        () => historyExport(['email', pts]),
        undefined,
      ],
      [
        'an unknown object type in a history export',
        404,
        () => ({ ...historyExport(['email']), selection: { objectType: 'planets' } }),
        undefined,
      ],
      ['no properties', 422, () => contactsExport([]), 'properties'],
      ['no properties in a history export', 422, () => historyExport([]), 'properties'],
      ['an unknown source', 422, () => ({ ...contactsExport(['email']), source: 'x' }), 'source'],
      ['an unknown format', 422, () => contactsExport(['email'], { format: 'pdf' }), 'format'],
      [
        'an invalid filter',
        422,
        () =>
          contactsExport(['email'], {
            filterGroups: [{ filters: [{ propertyName: 'email', operator: 'resembles' }] }],
          }),
        'selection.filterGroups[0].filters[0].operator',
      ],
    ] as const)('%s is refused (%i) and queues nothing', async (_name, status, body, field) => {
      const jobsBefore = await jobCount(server);
      const exportsBefore = await exportCount(server);
      const response = await ruledExporter.caller.post('/api/v1/exports', body());
      expectProblem(response, status, field ? { field } : {});
      if (status === 403) {
        expect(response.body.detail).toContain(pts);
      }
      expect(await jobCount(server)).toBe(jobsBefore);
      expect(await exportCount(server)).toBe(exportsBefore);
    });

    it("someone else's export cannot be cancelled: 404 for a member, 403 for an approver", async () => {
      const theirs = await requestExport(accountExporter.caller, contactsExport(['email']));
      const path = `/api/v1/exports/${theirs.id}/cancel`;
      expectProblem(await ownExporter.caller.post(path), 404);
      expectProblem(await approver.caller.post(path), 403, { code: 'exports.not_requester' });
    });

    it('a member without the export privilege is refused', async () => {
      const reader = await setup.userWithRole({ privileges: [contacts('read', 'account')] });
      expectProblem(await reader.caller.post('/api/v1/exports', contactsExport(['email'])), 403);
    });

    it('the export log shows a plain member their own exports only, and approvers all', async () => {
      const mine = await requestExport(ownExporter.caller, contactsExport(['email']));
      const theirs = await requestExport(accountExporter.caller, contactsExport(['email']));
      const ids = async (caller: Caller) =>
        (
          expectStatus(await caller.get('/api/v1/exports', { limit: 100 }), 200).body as {
            results: ExportView[];
          }
        ).results.map((view) => view.id);
      const ownList = await ids(ownExporter.caller);
      expect(ownList).toContain(mine.id);
      expect(ownList).not.toContain(theirs.id);
      expectProblem(await ownExporter.caller.get(`/api/v1/exports/${theirs.id}`), 404);
      for (const caller of [approver.caller, admin]) {
        expect(await ids(caller)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
        expectStatus(await caller.get(`/api/v1/exports/${theirs.id}`), 200);
      }
    });

    it('a canary sensitive value reaches only the file of a reader allowed to read it', async () => {
      const byCanary = [{ filters: [{ propertyName: ssn, operator: 'eq', value: CANARY }] }];
      // The super admin may read it and skips approval: the canary is in their file only.
      const adminUser = { token: adminToken, caller: admin };
      const { done, bytes } = await exportAndDownload(adminUser, ['email', ssn], byCanary);
      expect(done.sensitive).toBe(true);
      expect(bytes.toString('utf8')).toContain(CANARY);
      // A member who may not read it is refused at request time, naming it.
      const refused = await ruledExporter.caller.post(
        '/api/v1/exports',
        contactsExport(['email', ssn]),
      );
      expectProblem(refused, 403);
      expect(refused.body.detail).toContain(ssn);
      // A member exporting other columns of the same record never gets it.
      const plain = await exportAndDownload(accountExporter, ['email'], []);
      expect(plain.bytes.toString('utf8')).not.toContain(CANARY);
      const places = [
        server.logs.join('\n'),
        JSON.stringify(await auditEvents(server, adminToken)),
        JSON.stringify(expectStatus(await admin.get('/api/v1/exports'), 200).body),
        JSON.stringify(expectStatus(await admin.get(`/api/v1/exports/${done.id}`), 200).body),
        JSON.stringify(expectStatus(await admin.get('/api/v1/me/notifications'), 200).body),
        refused.text,
      ];
      for (const place of places) {
        expect(place).not.toContain(CANARY);
      }
    });
  });

  describe('approvals', () => {
    /** A second account: its settings and approvers do not touch the other cases. */
    let accountId: string;
    let second: { accountId: string; token: string };
    let approvalsSetup: Setup;
    let requester: Awaited<ReturnType<Setup['userWithRole']>>;
    let decider: Awaited<ReturnType<Setup['userWithRole']>>;
    let member: Awaited<ReturnType<Setup['userWithRole']>>;
    let bypasser: Awaited<ReturnType<Setup['userWithRole']>>;
    let secret: string;

    beforeAll(async () => {
      second = await newAccount(server, adminToken, uniqueName('Approvals'), {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      accountId = second.accountId;
      approvalsSetup = new Setup(server, second.token);
      const exporting = {
        privileges: [contacts('read', 'account'), contacts('export', 'account')],
      };
      requester = await approvalsSetup.userWithRole({ ...exporting, taskPrivileges: ['export'] });
      decider = await approvalsSetup.userWithRole({ taskPrivileges: ['approve_exports'] });
      member = await approvalsSetup.userWithRole(exporting);
      bypasser = await approvalsSetup.userWithRole({
        ...exporting,
        taskPrivileges: ['export', 'export_without_approval'],
      });
      expectStatus(
        await approvalsSetup.admin.post('/api/v1/settings/sensitive-data/enable', {
          categories: ['government_identifiers'],
          acceptTerms: true,
        }),
        200,
      );
      secret = uniqueName('secret');
      await createProperty(approvalsSetup.admin, 'contacts', {
        name: secret,
        label: secret,
        type: 'string',
        sensitivity: { highlySensitive: false },
      });
      await createRecords(
        approvalsSetup.admin,
        'contacts',
        Array.from({ length: 4 }, (_, i) => ({ email: `a${i}@approvals.test`, [secret]: `s${i}` })),
      );
      expectStatus(
        await approvalsSetup.admin.put('/api/v1/exports/settings', {
          approvalRequired: true,
          recordThreshold: 3,
          pendingExpiryHours: 72,
          fileTtlDays: 7,
        }),
        200,
      );
    });

    const pending = async (properties = ['email']) => {
      const created = await requestExport(
        requester.caller,
        contactsExport(properties, { notify: [decider.id], message: 'for the mailing' }),
      );
      expect(created.state).toBe('pending_approval');
      return created;
    };

    it('settings: a super admin changes them, a member gets 403, bad fields are 422 naming them', async () => {
      expectProblem(await member.caller.get('/api/v1/exports/settings'), 403);
      expectProblem(
        await member.caller.put('/api/v1/exports/settings', {
          approvalRequired: false,
          recordThreshold: 10,
          pendingExpiryHours: 1,
          fileTtlDays: 1,
        }),
        403,
      );
      const bad = await approvalsSetup.admin.put('/api/v1/exports/settings', {
        approvalRequired: 'yes',
        recordThreshold: -1,
        pendingExpiryHours: 72,
        fileTtlDays: 7,
      });
      expectProblem(bad, 422, { field: 'approvalRequired' });
      expectProblem(bad, 422, { field: 'recordThreshold' });
      expect(
        expectStatus(await approvalsSetup.admin.get('/api/v1/exports/settings'), 200).body,
      ).toMatchObject({ approvalRequired: true, recordThreshold: 3 });
    });

    it('above the threshold it waits; only another approver approves, then it runs for the requester', async () => {
      const created = await pending();
      const path = `/api/v1/exports/${created.id}`;
      expectProblem(await requester.caller.post(`${path}/approve`), 403, {
        code: 'approvals.own_request',
      });
      expectProblem(await member.caller.post(`${path}/approve`), 404);
      expectProblem(await bypasser.caller.post(`${path}/reject`, { reason: 'no' }), 404);
      const approved = expectStatus(await decider.caller.post(`${path}/approve`), 200)
        .body as ExportView;
      expect(approved.decidedByUserId).toBe(decider.id);
      const done = await waitForExport(requester.caller, created.id);
      expect(done).toMatchObject({ state: 'done', rowsDone: 4 });
      expectStatus(await downloadExport(server, requester.token, created.id), 200);
      expectProblem(await downloadExport(server, decider.token, created.id), 404);
      expectProblem(await decider.caller.post(`${path}/approve`), 409);
      expectProblem(await decider.caller.post(`${path}/reject`, { reason: 'late' }), 409);
      // The one job it ran, and none more.
      expect(await jobsOf(server, created.id)).toBe(1);
    });

    it('a rejection needs a reason and tells the requester', async () => {
      const created = await pending();
      const path = `/api/v1/exports/${created.id}`;
      expectProblem(await decider.caller.post(`${path}/reject`, { reason: '  ' }), 422, {
        field: 'reason',
      });
      const rejected = expectStatus(
        await decider.caller.post(`${path}/reject`, { reason: 'Too broad' }),
        200,
      ).body as ExportView;
      expect(rejected).toMatchObject({ state: 'rejected', reason: 'Too broad' });
      const inbox = JSON.stringify(
        expectStatus(await requester.caller.get('/api/v1/me/notifications'), 200).body,
      );
      expect(inbox).toContain(created.id);
      expectProblem(await decider.caller.post(`${path}/approve`), 409, {
        code: 'approvals.already_decided',
      });
      expect(await jobsOf(server, created.id)).toBe(0);
    });

    it('the requester revokes; an approver cannot revoke', async () => {
      const created = await pending();
      const path = `/api/v1/exports/${created.id}`;
      expectProblem(await decider.caller.post(`${path}/revoke`), 403);
      const revoked = expectStatus(await requester.caller.post(`${path}/revoke`), 200)
        .body as ExportView;
      expect(revoked.state).toBe('revoked');
      expectProblem(await decider.caller.post(`${path}/approve`), 409);
      expect(await jobsOf(server, created.id)).toBe(0);
    });

    it('sensitive data always needs approval, unless the requester may export without it', async () => {
      const one = [
        { filters: [{ propertyName: 'email', operator: 'eq', value: 'a0@approvals.test' }] },
      ];
      const asked = await requestExport(
        requester.caller,
        contactsExport(['email', secret], { filterGroups: one, notify: [decider.id] }),
      );
      expect(asked).toMatchObject({ state: 'pending_approval', sensitive: true, rowsTotal: 1 });
      const below = await requestExport(
        requester.caller,
        contactsExport(['email'], { filterGroups: one }),
      );
      expect(below.state).toBe('queued');
      const skipped = await requestExport(
        bypasser.caller,
        contactsExport(['email', secret], { filterGroups: one }),
      );
      expect(skipped).toMatchObject({ state: 'queued', sensitive: true });
    });

    it('an API key needs the export scope and cannot request approval: 403 saying why, nothing kept; below the threshold or with export_without_approval it exports', async () => {
      const keyOf = async (scopes: string[]) => {
        const { key } = expectStatus(
          await approvalsSetup.admin.post('/api/v1/api-keys', { name: uniqueName('key'), scopes }),
          201,
        ).body as { key: string };
        return { token: key, caller: callerOf(server, key) };
      };
      const unscoped = await keyOf(['view_audit_log']);
      expectProblem(await unscoped.caller.post('/api/v1/exports', contactsExport(['email'])), 403);
      const app = await keyOf(['export']);
      const jobsBefore = await jobCount(server);
      const exportsBefore = await exportCount(server);
      for (const [properties, reason] of [
        [['email', secret], 'sensitive'],
        [['email'], 'threshold'],
      ] as const) {
        const refused = await app.caller.post(
          '/api/v1/exports',
          contactsExport([...properties], { notify: [decider.id] }),
        );
        expectProblem(refused, 403, { code: 'exports.approval_needs_person' });
        expect(refused.body).toMatchObject({ reason });
      }
      expect(await jobCount(server)).toBe(jobsBefore);
      expect(await exportCount(server)).toBe(exportsBefore);
      // Needing no approval, the key's export runs, and the key (not its creator) downloads it.
      const one = [
        { filters: [{ propertyName: 'email', operator: 'eq', value: 'a1@approvals.test' }] },
      ];
      const small = await requestExport(
        app.caller,
        contactsExport(['email'], { filterGroups: one }),
      );
      expect(small).toMatchObject({ state: 'queued', requester: { kind: 'private_app' } });
      await expect(waitForExport(app.caller, small.id)).resolves.toMatchObject({ state: 'done' });
      expectStatus(await downloadExport(server, app.token, small.id), 200);
      expectProblem(await downloadExport(server, second.token, small.id), 404);
      // Its creator, a super admin, holds export_without_approval: a key scoped to it skips approval.
      const bypassing = await keyOf(['export', 'export_without_approval']);
      const skipped = await requestExport(bypassing.caller, contactsExport(['email', secret]));
      expect(skipped).toMatchObject({ state: 'queued', sensitive: true, rowsTotal: 4 });
    });

    it('with no eligible approver but the requester, the request is refused (409) and nothing is kept', async () => {
      // The other approvers (the super admin, the decider) leave for a moment, in SQL.
      const set = (status: string) =>
        server.dataSource.query(
          `UPDATE identity_membership SET status = '${status}'
            WHERE account_id = ${placeholder(server, 1)}
              AND user_id IN (${placeholder(server, 2)}, ${placeholder(server, 3)})`,
          [accountId, adminId, decider.id],
        );
      const before = await exportCount(server);
      await set('deactivated');
      try {
        expectProblem(
          await requester.caller.post(
            '/api/v1/exports',
            contactsExport(['email'], { notify: [decider.id] }),
          ),
          409,
          { code: 'approvals.no_approver' },
        );
      } finally {
        await set('active');
      }
      expect(await exportCount(server)).toBe(before);
    });
  });
});
