import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from '../support/api';
import { USER_PASSWORD, newUser, uniqueEmail } from '../support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import { Setup, type RecordView } from '../access/access-support';
import {
  callerOf,
  createProperty,
  createRecord,
  expectStatus,
  rawDatabaseText as rawText,
  uniqueName,
  type Caller,
  type PropertyView,
} from './crm-support';

/** A value that must never appear in clear anywhere but in responses to people allowed to read it. */
const CANARY = 'CANARY-7f3e9a1c-sensitive';

const ACCOUNT_WIDE = ['read', 'create', 'update', 'delete'].map((action) => ({
  objectType: 'contacts',
  action,
  level: 'account',
}));

const ENABLE = { categories: ['health_data', 'government_identifiers'], acceptTerms: true };

interface MaskedRecord extends RecordView {
  masked?: string[];
}

describe.each(testDatabaseKinds())('Sensitive properties on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let adminToken: string;
  let setup: Setup;
  let nationalId: string;
  let diagnosis: string;
  let secretNote: string;
  let nationalIdDefinition: PropertyView;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    setup = new Setup(server, adminToken);
    nationalId = uniqueName('national_id');
    diagnosis = uniqueName('diagnosis');
    secretNote = uniqueName('secret_note');
    expectStatus(await admin.post('/api/v1/settings/sensitive-data/enable', ENABLE), 200);
    nationalIdDefinition = await createProperty(admin, 'contacts', {
      name: nationalId,
      label: 'National ID',
      type: 'string',
      sensitivity: { phi: false, highlySensitive: false, access: 'everyone' },
    });
    await createProperty(admin, 'contacts', {
      name: diagnosis,
      label: 'Diagnosis',
      type: 'string',
      sensitivity: { phi: true, highlySensitive: true },
    });
    await createProperty(admin, 'contacts', {
      name: secretNote,
      label: 'Secret note',
      type: 'string',
      sensitivity: { access: 'super_admins' },
    });
  });

  // Whatever order the tests ran in, none of them may have put the canary in the log or in clear
  // in the database.
  afterAll(async () => {
    try {
      expect(server.logs.join('\n')).not.toContain(CANARY);
      expect(await rawDatabaseText()).not.toContain(CANARY);
    } finally {
      await server.close();
    }
  });

  const rawDatabaseText = () => rawText(server);

  it('refuses sensitive properties until the account enables sensitive data', async () => {
    // A fresh account: the Demo one enables sensitive data before the tests.
    const fresh = callerOf(
      server,
      (
        await newAccount(server, adminToken, 'Not yet sensitive', {
          email: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        })
      ).token,
    );
    const response = await fresh.post('/api/v1/properties/contacts', {
      name: uniqueName('too_early'),
      label: 'Too early',
      type: 'string',
      sensitivity: { phi: false },
    });
    expectProblem(response, 409, { code: 'crm.sensitive_data_not_enabled' });
    expectStatus(await fresh.post('/api/v1/settings/sensitive-data/enable', ENABLE), 200);
  });

  it('creates sensitive properties (super admins only) with their flags', async () => {
    expect(nationalIdDefinition).toMatchObject({
      sensitivity: { phi: false, highlySensitive: false, access: 'everyone' },
    });
    const events = await auditEvents(server, adminToken, { targetId: `contacts.${diagnosis}` });
    expect(events[0]).toMatchObject({
      action: 'property.created',
      metadata: { after: { sensitivity: { phi: true, highlySensitive: true } } },
    });
    const rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE });
    expectProblem(
      await rep.caller.post('/api/v1/properties/contacts', {
        name: uniqueName('by_rep'),
        label: 'By rep',
        type: 'string',
        sensitivity: {},
      }),
      403,
    );
  });

  it('refuses computed, unique and re-flagged sensitive properties with the reason', async () => {
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: uniqueName('score'),
        label: 'Score',
        type: 'score',
        scoreRules: [{ propertyName: 'country', operator: 'eq', value: 'DE', points: 1 }],
        sensitivity: {},
      }),
      422,
      { field: 'sensitivity' },
    );
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: uniqueName('uniq'),
        label: 'Unique',
        type: 'string',
        unique: true,
        sensitivity: {},
      }),
      422,
      { field: 'unique' },
    );
    expectProblem(
      await admin.patch(`/api/v1/properties/contacts/${nationalId}`, { sensitivity: null }),
      422,
      { code: 'crm.sensitive_fixed', field: 'sensitivity' },
    );
    expectProblem(
      await admin.patch('/api/v1/properties/contacts/country', { sensitivity: { phi: true } }),
      409,
    );
    const plain = uniqueName('plain');
    await createProperty(admin, 'contacts', { name: plain, label: 'Plain', type: 'string' });
    expectProblem(
      await admin.patch(`/api/v1/properties/contacts/${plain}`, { sensitivity: { phi: true } }),
      422,
      { code: 'crm.sensitive_fixed', field: 'sensitivity' },
    );
  });

  it('stores no value in clear through create, batch create, update and batch update', async () => {
    const created = await createRecord(admin, 'contacts', {
      firstname: 'Canary',
      [nationalId]: `${CANARY}-single`,
    });
    expect(created.properties[nationalId]).toBe(`${CANARY}-single`);
    const batch = expectStatus(
      await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: [{ properties: { [nationalId]: `${CANARY}-batch`, [diagnosis]: CANARY } }],
      }),
      201,
    ).body.results as RecordView[];
    expectStatus(
      await admin.patch(`/api/v1/objects/contacts/${created.id}`, {
        properties: { [nationalId]: `${CANARY}-updated`, [secretNote]: CANARY },
      }),
      200,
    );
    expectStatus(
      await admin.post('/api/v1/objects/contacts/batch/update', {
        inputs: [{ id: batch[0].id, properties: { [nationalId]: `${CANARY}-batch-updated` } }],
      }),
      200,
    );
    expect(await rawDatabaseText()).not.toContain(CANARY);
    const history = expectStatus(
      await admin.get(`/api/v1/objects/contacts/${created.id}/history`, { property: nationalId }),
      200,
    ).body.results as { oldValue: unknown; newValue: unknown }[];
    expect(history.map((h) => h.newValue)).toEqual(
      expect.arrayContaining([`${CANARY}-single`, `${CANARY}-updated`]),
    );
  });

  it('stores no value in clear through a CSV import (create and upsert)', async () => {
    const csv = [
      'Email,National ID',
      `import.one@sensitive.test,${CANARY}-import-1`,
      `import.two@sensitive.test,${CANARY}-import-2`,
    ].join('\n');
    const started = expectStatus(
      await server
        .http()
        .post('/api/v1/imports')
        .auth(adminToken, { type: 'bearer' })
        .field('objectType', 'contacts')
        .field('mapping', JSON.stringify({ Email: 'email', 'National ID': nationalId }))
        .field('mode', 'upsert')
        .field('uniqueProperty', 'email')
        .attach('file', Buffer.from(csv, 'utf8'), {
          filename: 'sensitive.csv',
          contentType: 'text/csv',
        }),
      202,
    ).body as { id: string };
    let status = 'pending';
    for (let attempt = 0; attempt < 500 && status !== 'done' && status !== 'failed'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (
        expectStatus(await admin.get(`/api/v1/imports/${started.id}`), 200).body as {
          status: string;
        }
      ).status;
    }
    expect(status).toBe('done');
    const found = expectStatus(
      await admin.post('/api/v1/objects/contacts/search', {
        filterGroups: [
          {
            filters: [{ propertyName: nationalId, operator: 'eq', value: `${CANARY}-import-2` }],
          },
        ],
      }),
      200,
    ).body as { results: RecordView[] };
    expect(found.results.map((r) => r.properties.email)).toEqual(['import.two@sensitive.test']);
    expect(await rawDatabaseText()).not.toContain(CANARY);
  });

  it('round-trips and finds values of every type a sensitive property can have', async () => {
    const samples: [string, Record<string, unknown>, unknown, unknown][] = [
      ['number', {}, '42.50', 42.5],
      ['bool', {}, 'true', true],
      ['date', {}, '1990-02-28', '1990-02-28'],
      ['datetime', {}, '2026-11-22T10:00:00Z', '2026-11-22T10:00:00.000Z'],
      [
        'enumeration',
        {
          options: [
            { value: 'a_plus', label: 'A+' },
            { value: 'zero', label: '0' },
          ],
        },
        'a_plus',
        'a_plus',
      ],
      ['string', {}, '  Ünïcödé 𝔘 ', '  Ünïcödé 𝔘 '],
    ];
    for (const [type, extra, raw, stored] of samples) {
      const name = uniqueName(`sensitive_${type}`);
      await createProperty(admin, 'contacts', {
        name,
        label: `Sensitive ${type}`,
        type,
        sensitivity: {},
        ...extra,
      });
      const record = await createRecord(admin, 'contacts', { [name]: raw });
      expect(record.properties[name]).toEqual(stored);
      const read = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(read.properties[name]).toEqual(stored);
      const found = expectStatus(
        await admin.post('/api/v1/objects/contacts/search', {
          filterGroups: [{ filters: [{ propertyName: name, operator: 'eq', value: raw }] }],
        }),
        200,
      ).body as { results: RecordView[] };
      expect(found.results.map((r) => r.id)).toEqual([record.id]);
    }
  });

  it('shows values to readers, audits each request that shows them, and keeps them from others', async () => {
    const record = await createRecord(admin, 'contacts', {
      [nationalId]: 'AB-123',
      [secretNote]: 'only for super admins',
    });
    const shown = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
      .body as RecordView;
    expect(shown.properties).toMatchObject({
      [nationalId]: 'AB-123',
      [secretNote]: 'only for super admins',
    });
    const viewed = await auditEvents(server, adminToken, { action: 'sensitive_data.viewed' });
    expect(viewed[0].metadata).toEqual({
      recordIds: [record.id],
      properties: [nationalId, secretNote].sort(),
    });
    expect(JSON.stringify(viewed)).not.toContain('AB-123');

    const rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE });
    const asRep = expectStatus(await rep.caller.get(`/api/v1/objects/contacts/${record.id}`), 200)
      .body as RecordView;
    expect(asRep.properties[nationalId]).toBe('AB-123');
    expect(asRep.redacted).toContain(secretNote);
    expect(asRep.properties).not.toHaveProperty(secretNote);
    expectProblem(
      await rep.caller.patch(`/api/v1/objects/contacts/${record.id}`, {
        properties: { [secretNote]: 'overwritten' },
      }),
      403,
      { code: 'crm.field_not_editable' },
    );
    expectProblem(
      await rep.caller.post('/api/v1/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: secretNote, operator: 'eq', value: 'x' }] }],
      }),
      403,
      { code: 'crm.field_not_readable' },
    );
    const listed = expectStatus(await rep.caller.get('/api/v1/objects/contacts'), 200).body
      .results as RecordView[];
    expect(JSON.stringify(listed)).not.toContain('only for super admins');
  });

  it('audits the deletion of sensitive values by property name, never by value', async () => {
    const record = await createRecord(admin, 'contacts', { [nationalId]: 'PURGE-ME-77' });
    expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}?purge=true`), 204);
    const purged = await auditEvents(server, adminToken, { action: 'record.purged' });
    expect(purged[0]).toMatchObject({
      targetId: record.id,
      metadata: { sensitiveProperties: [nationalId] },
    });
    expect(JSON.stringify(purged)).not.toContain('PURGE-ME-77');
  });

  it('masks highly sensitive values and reveals one record at a time, audited', async () => {
    const record = await createRecord(admin, 'contacts', { [diagnosis]: 'J45.0' });
    const read = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
      .body as MaskedRecord;
    expect(read.masked).toEqual([diagnosis]);
    expect(read.properties).not.toHaveProperty(diagnosis);
    const revealed = expectStatus(
      await admin.post(`/api/v1/objects/contacts/${record.id}/reveal`, {}),
      200,
    ).body as { properties: Record<string, unknown> };
    expect(revealed.properties).toEqual({ [diagnosis]: 'J45.0' });
    const events = await auditEvents(server, adminToken, { action: 'sensitive_data.revealed' });
    expect(events[0]).toMatchObject({
      targetId: record.id,
      metadata: { properties: [diagnosis] },
    });
    expectProblem(
      await admin.post(`/api/v1/objects/contacts/${record.id}/reveal`, {
        properties: [nationalId],
      }),
      422,
      { field: 'properties[0]' },
    );
  });

  it('searches by equality through the blind index and refuses what it cannot do', async () => {
    const wanted = await createRecord(admin, 'contacts', { [nationalId]: 'Zx-9981' });
    for (const value of ['Zx-9982', 'Zx-9983', 'Zx-9984']) {
      await createRecord(admin, 'contacts', { [nationalId]: value });
    }
    const search = (filters: object[], extra: object = {}) =>
      admin.post('/api/v1/objects/contacts/search', {
        ...(filters.length > 0 ? { filterGroups: [{ filters }] } : {}),
        ...extra,
      });
    const found = expectStatus(
      await search([{ propertyName: nationalId, operator: 'eq', value: ' zx-9981 ' }]),
      200,
    ).body as { total: number; results: RecordView[] };
    expect(found.results.map((r) => r.id)).toEqual([wanted.id]);
    expect(found.total).toBe(1);
    const both = expectStatus(
      await search([{ propertyName: nationalId, operator: 'in', values: ['ZX-9981', 'zx-9982'] }]),
      200,
    ).body as { total: number };
    expect(both.total).toBe(2);
    const present = expectStatus(
      await search([{ propertyName: nationalId, operator: 'has_property' }]),
      200,
    ).body as { total: number };
    expect(present.total).toBeGreaterThanOrEqual(4);
    for (const operator of ['gt', 'contains_token', 'neq']) {
      expectProblem(await search([{ propertyName: nationalId, operator, value: 'a' }]), 422, {
        code: 'crm.sensitive_operator',
        field: 'filterGroups[0].filters[0].operator',
      });
    }
    expectProblem(
      await search([], { sorts: [{ propertyName: nationalId, direction: 'ASCENDING' }] }),
      422,
      { field: 'sorts[0].propertyName' },
    );
  });

  it('redacts a tampered, moved or swapped value instead of failing, and logs no value', async () => {
    const a = await createRecord(admin, 'contacts', { [nationalId]: 'TAMPER-A' });
    const b = await createRecord(admin, 'contacts', { [nationalId]: 'TAMPER-B' });
    const rows = await server.dataSource.query<{ id: string; custom: string }[]>(
      `SELECT id, custom FROM crm_contact WHERE id IN ('${a.id}', '${b.id}')`,
    );
    const customOf = new Map(
      rows.map((r) => [r.id, JSON.parse(r.custom) as Record<string, string>]),
    );
    const swapped = { ...customOf.get(a.id)!, [nationalId]: customOf.get(b.id)![nationalId] };
    const envelope = customOf.get(b.id)![nationalId];
    const flipped = envelope.slice(0, 20) + (envelope[20] === 'A' ? 'B' : 'A') + envelope.slice(21);
    const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
    await server.dataSource.query(`UPDATE crm_contact SET custom = ${p(1)} WHERE id = ${p(2)}`, [
      JSON.stringify(swapped),
      a.id,
    ]);
    await server.dataSource.query(`UPDATE crm_contact SET custom = ${p(1)} WHERE id = ${p(2)}`, [
      JSON.stringify({ ...customOf.get(b.id)!, [nationalId]: flipped }),
      b.id,
    ]);
    for (const id of [a.id, b.id]) {
      const read = expectStatus(await admin.get(`/api/v1/objects/contacts/${id}`), 200)
        .body as RecordView;
      expect(read.redacted).toContain(nationalId);
      expect(read.properties).not.toHaveProperty(nationalId);
    }
    const logs = server.logs.join('\n');
    expect(logs).toContain('does not open');
    expect(logs).not.toContain('TAMPER-');
  });

  it('destroys the values of a deleted sensitive property', async () => {
    const doomed = uniqueName('doomed');
    await createProperty(admin, 'contacts', {
      name: doomed,
      label: 'Doomed',
      type: 'string',
      sensitivity: {},
    });
    const record = await createRecord(admin, 'contacts', { [doomed]: 'gone soon' });
    const rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE, taskPrivileges: [] });
    expectProblem(await rep.caller.delete(`/api/v1/properties/contacts/${doomed}`), 403);
    expectStatus(await admin.delete(`/api/v1/properties/contacts/${doomed}`), 204);
    const [row] = await server.dataSource.query<{ custom: string }[]>(
      `SELECT custom FROM crm_contact WHERE id = '${record.id}'`,
    );
    expect(JSON.parse(row.custom)).not.toHaveProperty(doomed);
    const tokens = await server.dataSource.query<unknown[]>(
      `SELECT * FROM crm_blind_index WHERE property_name = '${doomed}'`,
    );
    expect(tokens).toEqual([]);
    const history = await server.dataSource.query<unknown[]>(
      `SELECT * FROM crm_property_history WHERE property_name = '${doomed}'`,
    );
    expect(history).toEqual([]);
  });

  it('after a downgrade below enterprise: super admins keep values and may delete definitions only', async () => {
    const record = await createRecord(admin, 'contacts', { [nationalId]: 'DOWN-1' });
    const rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE });
    await server.dataSource.query(
      `UPDATE identity_account SET edition = 'professional' WHERE id = '${server.accountId}'`,
    );
    try {
      const asAdmin = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(asAdmin.properties[nationalId]).toBe('DOWN-1');
      const asRep = expectStatus(await rep.caller.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(asRep.redacted).toContain(nationalId);
      expectProblem(
        await admin.post('/api/v1/properties/contacts', {
          name: uniqueName('after_downgrade'),
          label: 'After downgrade',
          type: 'string',
          sensitivity: {},
        }),
        403,
        { code: 'crm.sensitive_property_edition' },
      );
      expectProblem(
        await admin.patch(`/api/v1/properties/contacts/${nationalId}`, { label: 'Renamed' }),
        403,
      );
    } finally {
      await server.dataSource.query(
        `UPDATE identity_account SET edition = 'enterprise' WHERE id = '${server.accountId}'`,
      );
    }
  });

  it('never decrypts for a support session, and lets it search only what it may read', async () => {
    const record = await createRecord(admin, 'contacts', {
      firstname: 'Supported',
      [nationalId]: 'SUPPORT-SECRET',
    });
    const desk = await newAccount(server, adminToken, 'Support desk', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const person = await newUser(server, desk.token, { email: uniqueEmail('support') });
    expectStatus(
      await admin.post('/api/v1/support-access', {
        supportUserEmail: person.email,
        reason: 'Ticket #1: records look wrong',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      201,
    );
    const login = expectStatus(
      await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: person.email, password: USER_PASSWORD, accountId: server.accountId }),
      200,
    );
    const support = callerOf(server, (login.body as { accessToken: string }).accessToken);
    const read = expectStatus(await support.get(`/api/v1/objects/contacts/${record.id}`), 200)
      .body as RecordView;
    expect(read.properties.firstname).toBe('Supported');
    expect(read.redacted).toEqual(expect.arrayContaining([nationalId, diagnosis, secretNote]));
    expect(JSON.stringify(read)).not.toContain('SUPPORT-SECRET');
    expectProblem(await support.post(`/api/v1/objects/contacts/${record.id}/reveal`, {}), 403);
    expectProblem(
      await support.post('/api/v1/objects/contacts/search', {
        filterGroups: [
          { filters: [{ propertyName: nationalId, operator: 'eq', value: 'SUPPORT-SECRET' }] },
        ],
      }),
      403,
      { code: 'crm.field_not_readable' },
    );
    const history = expectStatus(
      await support.get(`/api/v1/objects/contacts/${record.id}/history`),
      200,
    ).body as { results: { property: string }[] };
    expect(history.results.map((h) => h.property)).not.toContain(nationalId);
  });

  it('never leaks the canary into logs, audit rows or responses to people who may not read it', async () => {
    await createRecord(admin, 'contacts', {
      [nationalId]: `${CANARY}-readable`,
      [diagnosis]: CANARY,
      [secretNote]: CANARY,
    });
    const rep = await setup.userWithRole({ privileges: ACCOUNT_WIDE });
    const listed = await rep.caller.get('/api/v1/objects/contacts', { limit: 100 });
    // The rep may read the national ids (`CANARY-…-readable`), not the values that are exactly CANARY.
    expect(JSON.stringify(listed.body)).toContain(`${CANARY}-`);
    expect(JSON.stringify(listed.body)).not.toContain(`${CANARY}"`);
    expect(server.logs.join('\n')).not.toContain(CANARY);
    expect(await rawDatabaseText()).not.toContain(CANARY);
  });
});
