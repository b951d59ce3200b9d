import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, type AuditEventView } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import { Setup, callerOf, personId, type Caller } from '../access/access-support';
import {
  createProperty,
  createRecord,
  expectStatus,
  uniqueName,
  type HistoryView,
  type RecordView,
} from './crm-support';

/** Issue 11, items 2, 4 and 8: every way a sensitive value is read shows it as a read would. */

const ACCOUNT_WIDE = ['read', 'create', 'update', 'delete'].map((action) => ({
  objectType: 'contacts',
  action,
  level: 'account',
}));

interface ShownRecord extends RecordView {
  redacted: string[];
  masked?: string[];
}

interface ShownHistoryEntry extends Partial<HistoryView> {
  property: string;
  masked?: string[];
  redacted?: string[];
}

/** What a database writer can put in a sensitive slot instead of an envelope. */
const CORRUPT_SHAPES: [string, unknown][] = [
  ['a number', 42],
  ['an object', { envelope: 'cx1.AAAA' }],
  ['an array', ['cx1.AAAA']],
  ['null', null],
  ['a boolean', true],
  ['a string that is no envelope', 'cx1.not-an-envelope'],
];

describe.each(testDatabaseKinds())('Sensitive reads on every path on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let setup: Setup;
  let nationalId: string;
  let diagnosis: string;
  let secretNote: string;
  let adminOnlyDiagnosis: string;
  let rep: Awaited<ReturnType<Setup['userWithRole']>>;

  const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');

  /** The `sensitive_data.viewed` events that name this record. */
  async function viewsOf(recordId: string): Promise<AuditEventView[]> {
    return (await auditEvents(server, adminToken, { action: 'sensitive_data.viewed' })).filter(
      (event) => (event.metadata.recordIds as string[]).includes(recordId),
    );
  }

  async function history(recordId: string, as: Caller = admin): Promise<ShownHistoryEntry[]> {
    return (
      expectStatus(await as.get(`/api/v1/objects/contacts/${recordId}/history`), 200).body as {
        results: ShownHistoryEntry[];
      }
    ).results;
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    setup = new Setup(server, adminToken);
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['health_data', 'government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    nationalId = uniqueName('national_id');
    diagnosis = uniqueName('diagnosis');
    secretNote = uniqueName('secret_note');
    adminOnlyDiagnosis = uniqueName('admin_only_diagnosis');
    for (const [name, sensitivity] of [
      [nationalId, { highlySensitive: false }],
      [diagnosis, { phi: true, highlySensitive: true }],
      [secretNote, { access: 'super_admins' }],
      [adminOnlyDiagnosis, { highlySensitive: true, access: 'super_admins' }],
    ] as const) {
      await createProperty(admin, 'contacts', { name, label: name, type: 'string', sensitivity });
    }
    rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE });
  });

  afterAll(async () => server.close());

  describe('write responses (item 4)', () => {
    it('POST answers through the read presenter and audits the view', async () => {
      const created = expectStatus(
        await admin.post('/api/v1/objects/contacts', {
          properties: { [nationalId]: 'POST-ID', [diagnosis]: 'POST-DIAGNOSIS' },
        }),
        201,
      ).body as ShownRecord;
      expect(created.properties[nationalId]).toBe('POST-ID');
      expect(created.masked).toEqual([diagnosis]);
      expect(JSON.stringify(created)).not.toContain('POST-DIAGNOSIS');
      const views = await viewsOf(created.id);
      expect(views.map((event) => event.metadata)).toEqual([
        { recordIds: [created.id], properties: [nationalId] },
      ]);
    });

    it('batch/create audits the view of every record it answers with', async () => {
      const results = expectStatus(
        await admin.post('/api/v1/objects/contacts/batch/create', {
          inputs: [
            { properties: { [nationalId]: 'B-1' } },
            { properties: { [nationalId]: 'B-2' } },
          ],
        }),
        201,
      ).body.results as ShownRecord[];
      for (const record of results) {
        expect(await viewsOf(record.id)).toHaveLength(1);
      }
    });

    it('an empty PATCH audits the view of the stored values it answers with', async () => {
      const record = await createRecord(admin, 'contacts', { [nationalId]: 'PATCH-ID' });
      const before = (await viewsOf(record.id)).length;
      const patched = expectStatus(
        await rep.caller.patch(`/api/v1/objects/contacts/${record.id}`, { properties: {} }),
        200,
      ).body as ShownRecord;
      expect(patched.properties[nationalId]).toBe('PATCH-ID');
      const views = await viewsOf(record.id);
      expect(views).toHaveLength(before + 1);
      expect(views[0]).toMatchObject({
        actor: { id: rep.id },
        metadata: { properties: [nationalId] },
      });
    });

    it('batch/update audits the view of the stored values it answers with', async () => {
      const record = await createRecord(admin, 'contacts', { [nationalId]: 'BATCH-UPDATE-ID' });
      const before = (await viewsOf(record.id)).length;
      expectStatus(
        await rep.caller.post('/api/v1/objects/contacts/batch/update', {
          inputs: [{ id: record.id, properties: { firstname: 'Batch' } }],
        }),
        200,
      );
      expect(await viewsOf(record.id)).toHaveLength(before + 1);
    });

    it('restore audits the view of the values it answers with', async () => {
      const record = await createRecord(admin, 'contacts', { [nationalId]: 'RESTORE-ID' });
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 204);
      const before = (await viewsOf(record.id)).length;
      const restored = expectStatus(
        await admin.post(`/api/v1/objects/contacts/${record.id}/restore`),
        200,
      ).body as ShownRecord;
      expect(restored.properties[nationalId]).toBe('RESTORE-ID');
      expect(await viewsOf(record.id)).toHaveLength(before + 1);
    });

    it('a write response masks and redacts as a read does', async () => {
      const record = await createRecord(admin, 'contacts', {
        [diagnosis]: 'WRITE-DIAGNOSIS',
        [secretNote]: 'WRITE-NOTE',
      });
      const patched = expectStatus(
        await rep.caller.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { firstname: 'Rep' },
        }),
        200,
      ).body as ShownRecord;
      expect(patched.masked).toEqual([diagnosis]);
      expect(patched.redacted).toEqual(expect.arrayContaining([secretNote, adminOnlyDiagnosis]));
      expect(JSON.stringify(patched)).not.toMatch(/WRITE-(DIAGNOSIS|NOTE)/);
    });
  });

  describe('search on highly sensitive properties (item 4)', () => {
    const byValue = (property: string, value: string) => ({
      filterGroups: [{ filters: [{ propertyName: property, operator: 'eq', value }] }],
    });

    it('an equality search is audited naming the property and the records found, never the value', async () => {
      const record = await createRecord(admin, 'contacts', { [diagnosis]: 'GUESSED-J45' });
      const found = expectStatus(
        await rep.caller.post('/api/v1/objects/contacts/search', byValue(diagnosis, 'guessed-j45')),
        200,
      ).body as { results: ShownRecord[] };
      expect(found.results.map((r) => r.id)).toEqual([record.id]);
      const [searched] = await auditEvents(server, adminToken, {
        action: 'sensitive_data.searched',
      });
      expect(searched).toMatchObject({
        actor: { id: rep.id },
        targetType: 'contacts',
        targetId: record.id,
        metadata: { properties: [diagnosis], recordIds: [record.id] },
      });
      expect(JSON.stringify(searched)).not.toMatch(/GUESSED/i);
    });

    it('a search that finds nothing is audited too (a miss also answers the guess)', async () => {
      expectStatus(
        await rep.caller.post('/api/v1/objects/contacts/search', byValue(diagnosis, 'NO-SUCH')),
        200,
      );
      const [searched] = await auditEvents(server, adminToken, {
        action: 'sensitive_data.searched',
      });
      expect(searched.metadata).toEqual({ properties: [diagnosis], recordIds: [] });
    });

    it('is refused with 403 naming the property to someone who may not reveal it', async () => {
      const before = await auditEvents(server, adminToken, { action: 'sensitive_data.searched' });
      expectProblem(
        await rep.caller.post(
          '/api/v1/objects/contacts/search',
          byValue(adminOnlyDiagnosis, 'J45'),
        ),
        403,
        { code: 'crm.field_not_readable', field: 'filterGroups[0].filters[0].propertyName' },
      );
      expect(await auditEvents(server, adminToken, { action: 'sensitive_data.searched' })).toEqual(
        before,
      );
    });
  });

  describe('history (item 2)', () => {
    let recordId: string;

    beforeAll(async () => {
      recordId = (await createRecord(admin, 'contacts', { [diagnosis]: 'HISTORY-OLD' })).id;
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${recordId}`, {
          properties: { [diagnosis]: 'HISTORY-NEW', [nationalId]: 'HISTORY-ID' },
        }),
        200,
      );
    });

    it('masks highly sensitive values exactly as the record does', async () => {
      const entries = (await history(recordId)).filter((e) => e.property === diagnosis);
      expect(entries).toEqual([
        expect.objectContaining({ oldValue: null, masked: ['newValue'] }),
        expect.objectContaining({ masked: ['oldValue', 'newValue'] }),
      ]);
      expect(JSON.stringify(entries)).not.toContain('HISTORY-');
    });

    it('audits no view of a masked value, and a view of the values it shows', async () => {
      const before = (await viewsOf(recordId)).length;
      await history(recordId);
      const views = await viewsOf(recordId);
      expect(views).toHaveLength(before + 1);
      expect(views[0].metadata).toEqual({ recordIds: [recordId], properties: [nationalId] });
    });

    it('shows past values through the reveal route only, audited as a reveal', async () => {
      const revealed = expectStatus(
        await admin.post(`/api/v1/objects/contacts/${recordId}/reveal`, { history: true }),
        200,
      ).body as { properties: Record<string, unknown>; history: ShownHistoryEntry[] };
      expect(revealed.properties).toEqual({
        [diagnosis]: 'HISTORY-NEW',
        [adminOnlyDiagnosis]: null,
      });
      expect(revealed.history.map((e) => [e.property, e.oldValue, e.newValue])).toEqual([
        [diagnosis, null, 'HISTORY-OLD'],
        [diagnosis, 'HISTORY-OLD', 'HISTORY-NEW'],
      ]);
      const [reveal] = await auditEvents(server, adminToken, {
        action: 'sensitive_data.revealed',
      });
      expect(reveal).toMatchObject({
        targetId: recordId,
        metadata: { properties: [adminOnlyDiagnosis, diagnosis].sort(), history: true },
      });
    });

    it('reveals no history of a property the caller may not read', async () => {
      const revealed = expectStatus(
        await rep.caller.post(`/api/v1/objects/contacts/${recordId}/reveal`, {
          properties: [adminOnlyDiagnosis],
          history: true,
        }),
        200,
      ).body as { redacted: string[]; history: ShownHistoryEntry[] };
      expect(revealed).toMatchObject({ redacted: [adminOnlyDiagnosis], history: [] });
    });
  });

  describe.each(CORRUPT_SHAPES)('a sensitive slot holding %s (item 8)', (_label, shape) => {
    let broken: string;
    let healthy: string;
    let notified: string;

    /** Writes `shape` into the record's sensitive slot, as a database writer could. */
    async function corrupt(recordId: string): Promise<void> {
      const [row] = await server.dataSource.query<{ custom: string }[]>(
        `SELECT custom FROM crm_contact WHERE id = ${p(1)}`,
        [recordId],
      );
      const custom = { ...(JSON.parse(row.custom) as object), [nationalId]: shape };
      await server.dataSource.query(`UPDATE crm_contact SET custom = ${p(1)} WHERE id = ${p(2)}`, [
        JSON.stringify(custom),
        recordId,
      ]);
    }

    beforeAll(async () => {
      const marker = uniqueName('corrupt');
      broken = (
        await createRecord(admin, 'contacts', { lastname: marker, [nationalId]: 'BROKEN-SECRET' })
      ).id;
      healthy = (await createRecord(admin, 'contacts', { lastname: marker, [nationalId]: 'FINE' }))
        .id;
      await corrupt(broken);
      await server.dataSource.query(
        `UPDATE crm_property_history SET new_value = ${p(1)} WHERE record_id = ${p(2)} AND property_name = ${p(3)}`,
        [JSON.stringify(shape), broken, nationalId],
      );
      const form = expectStatus(
        await admin.post('/api/v1/forms', {
          name: uniqueName('Corrupt form'),
          objectType: 'contacts',
          fields: [{ property: 'email', required: true }, { property: nationalId }],
          notify: [await personId(admin)],
        }),
        201,
      ).body as { id: string };
      expectStatus(
        await server
          .http()
          .post(`/api/v1/forms/${form.id}/submissions`)
          .send({
            fields: { email: `${marker}@corrupt.test`, [nationalId]: 'FORM-SECRET' },
          }),
        202,
      );
      notified = (
        expectStatus(
          await admin.post('/api/v1/objects/contacts/search', {
            filterGroups: [
              {
                filters: [
                  { propertyName: 'email', operator: 'eq', value: `${marker}@corrupt.test` },
                ],
              },
            ],
          }),
          200,
        ).body as { results: RecordView[] }
      ).results[0].id;
      await corrupt(notified);
    });

    it('the record answers 200 with the value redacted', async () => {
      const read = expectStatus(await admin.get(`/api/v1/objects/contacts/${broken}`), 200)
        .body as ShownRecord;
      expect(read.redacted).toContain(nationalId);
      expect(read.properties).not.toHaveProperty(nationalId);
    });

    it('the list answers 200, other records intact', async () => {
      const listed = expectStatus(await admin.get('/api/v1/objects/contacts', { limit: 100 }), 200)
        .body as { results: ShownRecord[] };
      const byId = new Map(listed.results.map((r) => [r.id, r]));
      expect(byId.get(broken)!.redacted).toContain(nationalId);
      expect(byId.get(healthy)!.properties[nationalId]).toBe('FINE');
    });

    it('an equality search on the property answers 200 without the broken record', async () => {
      const found = expectStatus(
        await admin.post('/api/v1/objects/contacts/search', {
          filterGroups: [
            {
              filters: [
                { propertyName: nationalId, operator: 'in', values: ['FINE', 'BROKEN-SECRET'] },
              ],
            },
          ],
        }),
        200,
      ).body as { results: ShownRecord[] };
      expect(found.results.map((r) => r.id)).toContain(healthy);
      expect(found.results.map((r) => r.id)).not.toContain(broken);
    });

    it('a batch read answers 200 with the value redacted', async () => {
      const results = expectStatus(
        await admin.post('/api/v1/objects/contacts/batch/read', { ids: [broken, healthy] }),
        200,
      ).body.results as ShownRecord[];
      expect(results.map((r) => [r.id, r.redacted.includes(nationalId)])).toEqual([
        [broken, true],
        [healthy, false],
      ]);
    });

    it('the history answers 200 with the value redacted', async () => {
      const [entry] = (await history(broken)).filter((e) => e.property === nationalId);
      expect(entry).toMatchObject({ oldValue: null, redacted: ['newValue'] });
      expect(entry).not.toHaveProperty('newValue');
    });

    it('notifications answer 200 with the value redacted', async () => {
      const notifications = (
        expectStatus(await admin.get('/api/v1/me/notifications'), 200).body as {
          results: { record?: ShownRecord }[];
        }
      ).results;
      const record = notifications.find((n) => n.record?.id === notified)!.record!;
      expect(record.redacted).toContain(nationalId);
    });

    it('is logged without the value', async () => {
      // Reads it itself: tests run in a random order, this one may come first.
      expectStatus(await admin.get(`/api/v1/objects/contacts/${broken}`), 200);
      const logs = server.logs.join('\n');
      expect(logs).toContain(
        `does not open (malformed): table crm_contact, property ${nationalId}`,
      );
      expect(logs).not.toMatch(/BROKEN-SECRET|FORM-SECRET/);
    });
  });

  describe.each(['null', 'not json', '[1]', '"text"'])(
    'a custom cell holding %s (item 8)',
    (cell) => {
      let broken: string;

      beforeAll(async () => {
        broken = (await createRecord(admin, 'contacts', { [nationalId]: 'CELL-SECRET' })).id;
        await server.dataSource.query(
          `UPDATE crm_contact SET custom = ${p(1)} WHERE id = ${p(2)}`,
          [cell, broken],
        );
      });

      it('the list answers 200 with its sensitive values redacted', async () => {
        const listed = expectStatus(
          await admin.get('/api/v1/objects/contacts', { limit: 100 }),
          200,
        ).body as { results: ShownRecord[] };
        expect(listed.results.find((r) => r.id === broken)!.redacted).toContain(nationalId);
      });

      it('the record answers 200 with its sensitive values redacted, logged without them', async () => {
        const read = expectStatus(await admin.get(`/api/v1/objects/contacts/${broken}`), 200)
          .body as ShownRecord;
        expect(read.redacted).toContain(nationalId);
        expect(server.logs.join('\n')).not.toContain('CELL-SECRET');
      });
    },
  );
});
