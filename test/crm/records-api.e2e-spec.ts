import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { ArchivePurgeJob } from '../../src/crm/records/archive-purge.job';
import { auditEvents, auditHead, expectProblem, newAccount, walkPages } from '../support/api';
import { newUser, type CreatedUser } from '../support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import {
  UNKNOWN_ID,
  callerOf,
  createProperty,
  createRecord,
  createRecords,
  expectStatus,
  uniqueName,
  type Caller,
  type HistoryView,
  type RecordView,
} from './crm-support';

const DAY_MS = 86_400_000;

/** Sample properties per object type, and a change to apply. */
const SAMPLES = {
  contacts: {
    create: { email: 'sample.contact@example.com', firstname: 'Ada', lifecyclestage: 'lead' },
    update: { lifecyclestage: 'customer', birthdate: '1815-12-10' },
  },
  companies: {
    create: { name: 'Analytical Engines', domain: 'engines.example.com', numberofemployees: 12 },
    update: { industry: 'Computing', annualrevenue: '1500000.5' },
  },
  deals: {
    create: { dealname: 'Difference engine', amount: 17000, dealstage: 'qualifiedtobuy' },
    update: { dealstage: 'closedwon', closedate: '1842-06-01', probability: 100 },
  },
} as const;

describe.each(testDatabaseKinds())('CRM records API on %s', (kind) => {
  let server: TestServer;
  let clock: FixedClock;
  let adminToken: string;
  let admin: Caller;
  let adminUserId: string;
  let member: CreatedUser;
  let unitMember: CreatedUser;
  let unitId: string;
  let deactivated: CreatedUser;
  let keyCaller: Caller;
  let keyId: string;
  let other: { accountId: string; token: string; caller: Caller };

  /** Runs SQL written with $n placeholders on either database. */
  const sql = <T>(query: string, parameters: unknown[] = []): Promise<T[]> =>
    server.dataSource.query<T[]>(
      kind === 'postgres' ? query : query.replace(/\$\d+/g, '?'),
      parameters,
    );
  const count = async (table: string, where = '1 = 1', parameters: unknown[] = []) =>
    Number(
      (
        await sql<{ n: number | string }>(
          `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
          parameters,
        )
      )[0].n,
    );
  const total = async (caller: Caller, objectType: string, filterGroups: unknown[] = []) =>
    expectStatus(
      await caller.post(`/api/v1/objects/${objectType}/search`, { filterGroups, limit: 1 }),
      200,
    ).body.total as number;
  const history = async (objectType: string, id: string, query: Record<string, unknown> = {}) =>
    expectStatus(
      await admin.get(`/api/v1/objects/${objectType}/${id}/history`, { limit: 100, ...query }),
      200,
    ).body.results as HistoryView[];

  beforeAll(async () => {
    clock = new FixedClock(new Date());
    server = await startTestServer(kind, { clock });
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    adminUserId = (await admin.get('/api/v1/me')).body.user.id as string;
    member = await newUser(server, adminToken);
    unitId = expectStatus(await admin.post('/api/v1/business-units', { name: 'Sales EMEA' }), 201)
      .body.id as string;
    // A super admin: the owner rules under test are the CRM's, not the access rules of a role.
    unitMember = await newUser(server, adminToken, { businessUnitId: unitId, superAdmin: true });
    deactivated = await newUser(server, adminToken);
    expectStatus(
      await admin.patch(`/api/v1/users/${deactivated.id}`, { status: 'deactivated' }),
      200,
    );
    const key = expectStatus(
      await admin.post('/api/v1/api-keys', { name: 'CRM sync', scopes: ['view_audit_log'] }),
      201,
    ).body as { id: string; key: string };
    keyCaller = callerOf(server, key.key);
    keyId = key.id;
    // Last: the admin then belongs to two accounts and must name one to sign in.
    const account = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    other = { ...account, caller: callerOf(server, account.token) };
  });

  afterAll(async () => {
    await server.close();
  });

  // A test that moves the clock (past every token's lifetime) puts it back for the others.
  let startedAt: number;
  beforeEach(() => {
    startedAt = clock.now().getTime();
  });
  afterEach(() => {
    clock.advance(startedAt - clock.now().getTime());
  });

  describe.each(Object.keys(SAMPLES) as (keyof typeof SAMPLES)[])('CRUD of %s', (objectType) => {
    const path = `/api/v1/objects/${objectType}`;

    it('creates, reads, lists, updates and archives a record', async () => {
      const sample = SAMPLES[objectType];
      const created = await admin.post(path, { properties: sample.create });
      expect(created.status).toBe(201);
      const record = created.body as RecordView;
      const now = clock.now().toISOString();
      expect(record).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        properties: expect.objectContaining({
          ...sample.create,
          owner_id: adminUserId,
          createdate: now,
          lastmodifieddate: now,
        }),
        createdAt: now,
        updatedAt: now,
        archived: false,
      });
      const properties = expectStatus(await admin.get(`/api/v1/properties/${objectType}`), 200).body
        .results as { name: string }[];
      expect(Object.keys(record.properties).sort()).toEqual(properties.map((p) => p.name).sort());

      const read = await admin.get(`${path}/${record.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(record);

      const listed = await walkPages<RecordView>((after) =>
        admin.get(path, { limit: 100, ...(after ? { after } : {}) }),
      );
      expect(listed.pages.flat().map((r) => r.id)).toContain(record.id);

      clock.advance(60_000);
      const updated = await admin.patch(`${path}/${record.id}`, { properties: sample.update });
      expect(updated.status).toBe(200);
      const later = clock.now().toISOString();
      const changes = Object.fromEntries(
        Object.entries(sample.update).map(([name, value]) => [
          name,
          typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value,
        ]),
      );
      expect(updated.body).toMatchObject({
        id: record.id,
        createdAt: now,
        updatedAt: later,
        properties: { ...sample.create, ...changes, lastmodifieddate: later, createdate: now },
      });
      expect((await admin.get(`${path}/${record.id}`)).body).toEqual(updated.body);

      expectStatus(await admin.delete(`${path}/${record.id}`), 204);
      expectProblem(await admin.get(`${path}/${record.id}`), 404, {
        code: 'crm.record_not_found',
      });
      // Frees the sample's unique value for the other database's run of this suite: not needed
      // (fresh database), but keeps the account tidy for later tests.
      expectStatus(await admin.delete(`${path}/${record.id}`, { purge: true }), 204);
    });

    it('answers an unknown id with 404 and a malformed id with 422 naming recordId', async () => {
      expectProblem(await admin.get(`${path}/${UNKNOWN_ID}`), 404, {
        code: 'crm.record_not_found',
      });
      expectProblem(await admin.patch(`${path}/${UNKNOWN_ID}`, { properties: {} }), 404);
      expectProblem(await admin.delete(`${path}/${UNKNOWN_ID}`), 404);
      expectProblem(await admin.get(`${path}/not-a-uuid`), 422, { field: 'recordId' });
    });
  });

  describe('unknown object types', () => {
    it.each([
      ['get', '/api/v1/objects/widgets'],
      ['post', '/api/v1/objects/widgets'],
      ['get', `/api/v1/objects/widgets/${UNKNOWN_ID}`],
      ['patch', `/api/v1/objects/widgets/${UNKNOWN_ID}`],
      ['delete', `/api/v1/objects/widgets/${UNKNOWN_ID}`],
      ['post', '/api/v1/objects/widgets/batch/create'],
      ['post', '/api/v1/objects/widgets/search'],
      ['get', `/api/v1/objects/widgets/${UNKNOWN_ID}/history`],
    ] as const)('answers %s %s with 404', async (method, path) => {
      const body = path.endsWith('batch/create')
        ? { inputs: [{ properties: {} }] }
        : path.endsWith('search')
          ? {}
          : { properties: {} };
      const response =
        method === 'post'
          ? await admin.post(path, body)
          : method === 'patch'
            ? await admin.patch(path, body)
            : await admin[method](path);
      expectProblem(response, 404, { code: 'crm.unknown_object_type' });
    });
  });

  it('answers a malformed object type with 422 naming it', async () => {
    expectProblem(await admin.get('/api/v1/objects/Contacts'), 422, {
      code: 'crm.invalid_object_type',
      field: 'objectType',
    });
    expectProblem(
      await admin.get(`/api/v1/objects/contacts/${UNKNOWN_ID}/associations/Companies`),
      422,
      { field: 'toObjectType' },
    );
  });

  describe('?properties=', () => {
    let record: RecordView;

    beforeAll(async () => {
      record = await createRecord(admin, 'contacts', { firstname: 'Sel', lastname: 'Ection' });
    });

    it('returns only the chosen properties on get, list and batch read', async () => {
      const read = await admin.get(`/api/v1/objects/contacts/${record.id}`, {
        properties: 'firstname, lastname,owner_id',
      });
      expect(read.body.properties).toEqual({
        firstname: 'Sel',
        lastname: 'Ection',
        owner_id: adminUserId,
      });
      const list = await admin.get('/api/v1/objects/contacts', {
        properties: 'lastname',
        limit: 100,
      });
      expect(
        (list.body.results as RecordView[]).every(
          (r) => Object.keys(r.properties).join() === 'lastname',
        ),
      ).toBe(true);
      const batch = await admin.post('/api/v1/objects/contacts/batch/read', {
        ids: [record.id],
        properties: ['firstname'],
      });
      expect(batch.body.results[0].properties).toEqual({ firstname: 'Sel' });
    });

    it('refuses unknown or malformed names with 422 naming properties', async () => {
      expectProblem(
        await admin.get(`/api/v1/objects/contacts/${record.id}`, {
          properties: 'firstname,shoe_size',
        }),
        422,
        { code: 'crm.unknown_property', field: 'properties' },
      );
      expectProblem(await admin.get('/api/v1/objects/contacts', { properties: 'shoe_size' }), 422, {
        field: 'properties',
      });
      expectProblem(
        await admin.get('/api/v1/objects/contacts', { properties: 'First-Name' }),
        422,
        { field: 'properties' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/contacts/batch/read', {
          ids: [record.id],
          properties: ['shoe_size'],
        }),
        422,
        { field: 'properties' },
      );
    });
  });

  describe('values are validated by type (nothing written)', () => {
    let customDate: string;
    let customDatetime: string;
    let customBool: string;
    let customNumber: string;
    let customEnumeration: string;

    beforeAll(async () => {
      customDate = (
        await createProperty(admin, 'deals', {
          name: uniqueName('signed_on'),
          label: 'Signed',
          type: 'date',
        })
      ).name;
      customDatetime = (
        await createProperty(admin, 'deals', {
          name: uniqueName('signed_at'),
          label: 'Signed at',
          type: 'datetime',
        })
      ).name;
      customBool = (
        await createProperty(admin, 'deals', {
          name: uniqueName('strategic'),
          label: 'Strategic',
          type: 'bool',
        })
      ).name;
      customNumber = (
        await createProperty(admin, 'deals', {
          name: uniqueName('seats'),
          label: 'Seats',
          type: 'number',
        })
      ).name;
      customEnumeration = (
        await createProperty(admin, 'deals', {
          name: uniqueName('channel'),
          label: 'Channel',
          type: 'enumeration',
          options: [
            { value: 'direct', label: 'Direct' },
            { value: 'partner', label: 'Partner' },
          ],
        })
      ).name;
    });

    it('accepts numbers and booleans as strings, normalising every type', async () => {
      const deal = await createRecord(admin, 'deals', {
        amount: '1200.50',
        probability: ' 40 ',
        closedate: '2026-12-31',
        [customNumber]: '12',
        [customBool]: 'false',
        [customDate]: '2026-02-28',
        [customDatetime]: '2026-11-22T20:42:00+02:00',
        [customEnumeration]: 'partner',
        dealstage: 'closedlost',
      });
      expect(deal.properties).toMatchObject({
        amount: 1200.5,
        probability: 40,
        closedate: '2026-12-31',
        [customNumber]: 12,
        [customBool]: false,
        [customDate]: '2026-02-28',
        [customDatetime]: '2026-11-22T18:42:00.000Z',
        [customEnumeration]: 'partner',
        dealstage: 'closedlost',
      });
      expect((await admin.get(`/api/v1/objects/deals/${deal.id}`)).body.properties).toEqual(
        deal.properties,
      );
    });

    it.each<[string, () => string, unknown, RegExp]>([
      ['a standard number', () => 'amount', 'lots', /^expected a number$/],
      ['a custom number', () => customNumber, '12 seats', /^expected a number$/],
      ['a standard date', () => 'closedate', '31/12/2026', /^expected a date \(YYYY-MM-DD\)$/],
      ['a custom date', () => customDate, '2026-02-30', /^expected a date \(YYYY-MM-DD\)$/],
      ['a custom datetime', () => customDatetime, '2026-11-22 10:00', /^expected a date-time/],
      [
        'a datetime without a time zone',
        () => customDatetime,
        '2026-11-22T10:00:00',
        /^expected a date-time/,
      ],
      [
        'a standard enumeration',
        () => 'dealstage',
        'won',
        /^expected one of: appointmentscheduled, /,
      ],
      [
        'a custom enumeration',
        () => customEnumeration,
        'Direct',
        /^expected one of: direct, partner$/,
      ],
      ['a bool', () => customBool, 'yes', /^expected a boolean/],
      ['a standard string', () => 'dealname', 42, /^expected a string of at most 255 characters$/],
      [
        'a too long standard string',
        () => 'dealname',
        'x'.repeat(256),
        /^expected a string of at most 255/,
      ],
      ['an object', () => 'pipeline', { nested: true }, /^expected a string/],
    ])(
      'refuses %s with 422 naming properties.<name> and the expected type',
      async (_case, name, raw, message) => {
        const head = await auditHead(server, adminToken);
        const before = await total(admin, 'deals');
        const response = await admin.post('/api/v1/objects/deals', {
          properties: { dealname: 'Refused', [name()]: raw },
        });
        expectProblem(response, 422, { code: 'crm.invalid_value', field: `properties.${name()}` });
        expect(response.body.errors[0].message).toMatch(message);
        expect(await auditHead(server, adminToken)).toBe(head);
        expect(await total(admin, 'deals')).toBe(before);
      },
    );

    it('refuses a wrong type on update, leaving the record as it was', async () => {
      const deal = await createRecord(admin, 'deals', { dealname: 'Kept', amount: 5 });
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.patch(`/api/v1/objects/deals/${deal.id}`, {
          properties: { dealname: 'Changed', amount: 'five' },
        }),
        422,
        { field: 'properties.amount' },
      );
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await admin.get(`/api/v1/objects/deals/${deal.id}`)).body).toEqual(
        expect.objectContaining({
          properties: expect.objectContaining({ dealname: 'Kept', amount: 5 }),
        }),
      );
      expect(await history('deals', deal.id, { property: 'dealname' })).toHaveLength(1);
    });

    it('refuses an unknown property with 422 naming it', async () => {
      expectProblem(
        await admin.post('/api/v1/objects/deals', { properties: { dealname: 'X', shoe_size: 42 } }),
        422,
        { code: 'crm.unknown_property', field: 'properties.shoe_size' },
      );
    });

    it('refuses properties that are not an object with 422', async () => {
      expectProblem(await admin.post('/api/v1/objects/deals', { properties: ['dealname'] }), 422, {
        field: 'properties',
      });
      expectProblem(await admin.post('/api/v1/objects/deals', {}), 422, { field: 'properties' });
    });

    it('clears values with null or ""', async () => {
      const deal = await createRecord(admin, 'deals', {
        dealname: 'Clear me',
        amount: 3,
        pipeline: 'x',
      });
      const cleared = await admin.patch(`/api/v1/objects/deals/${deal.id}`, {
        properties: { amount: null, pipeline: '' },
      });
      expect(cleared.body.properties).toMatchObject({
        amount: null,
        pipeline: null,
        dealname: 'Clear me',
      });
    });
  });

  describe('required, read-only and mass-assigned properties', () => {
    it('requires required custom properties on create and refuses clearing them', async () => {
      const name = uniqueName('contract_no');
      const before = await createRecord(admin, 'deals', { dealname: 'Before the rule' });
      await createProperty(admin, 'deals', {
        name,
        label: 'Contract',
        type: 'string',
        required: true,
      });
      try {
        const head = await auditHead(server, adminToken);
        for (const value of [undefined, null, '']) {
          expectProblem(
            await admin.post('/api/v1/objects/deals', {
              properties: {
                dealname: 'No contract',
                ...(value === undefined ? {} : { [name]: value }),
              },
            }),
            422,
            { code: 'crm.required_property', field: `properties.${name}` },
          );
        }
        expect(await auditHead(server, adminToken)).toBe(head);
        const deal = await createRecord(admin, 'deals', { dealname: 'Contracted', [name]: 'C-1' });
        expectProblem(
          await admin.patch(`/api/v1/objects/deals/${deal.id}`, { properties: { [name]: null } }),
          422,
          { code: 'crm.required_property', field: `properties.${name}` },
        );
        // Records made before the rule can still be edited without it.
        expectStatus(
          await admin.patch(`/api/v1/objects/deals/${before.id}`, { properties: { amount: 1 } }),
          200,
        );
      } finally {
        expectStatus(await admin.delete(`/api/v1/properties/deals/${name}`), 204);
      }
    });

    it.each(['createdate', 'lastmodifieddate', 'score', 'calculation'])(
      'refuses writing the read-only %s property with 422 naming it',
      async (which) => {
        let name = which;
        if (which === 'score') {
          name = (
            await createProperty(admin, 'contacts', {
              name: uniqueName('score'),
              label: 'Score',
              type: 'score',
              scoreRules: [{ propertyName: 'email', operator: 'has_property', points: 1 }],
            })
          ).name;
        } else if (which === 'calculation') {
          name = (
            await createProperty(admin, 'contacts', {
              name: uniqueName('calc'),
              label: 'Calc',
              type: 'calculation',
              formula: '2 * 21',
            })
          ).name;
        }
        const head = await auditHead(server, adminToken);
        expectProblem(
          await admin.post('/api/v1/objects/contacts', {
            properties: { [name]: '2026-01-01T00:00:00Z' },
          }),
          422,
          { code: 'crm.read_only_property', field: `properties.${name}` },
        );
        const contact = await createRecord(admin, 'contacts', {});
        const afterCreate = await auditHead(server, adminToken);
        expectProblem(
          await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
            properties: { [name]: 1 },
          }),
          422,
          { code: 'crm.read_only_property', field: `properties.${name}` },
        );
        expect(afterCreate).toBe(head + 1);
        expect(await auditHead(server, adminToken)).toBe(afterCreate);
        if (which === 'calculation') {
          expect(contact.properties[name]).toBe(42);
        }
      },
    );

    it.each([
      ['id', UNKNOWN_ID],
      ['accountId', UNKNOWN_ID],
      ['archived', true],
      ['createdAt', '2020-01-01T00:00:00.000Z'],
    ])(
      'refuses mass assignment of %s with 422 naming it, writing nothing',
      async (field, value) => {
        const head = await auditHead(server, adminToken);
        const before = await total(admin, 'contacts');
        expectProblem(
          await admin.post('/api/v1/objects/contacts', {
            properties: { firstname: 'Mass' },
            [field]: value,
          }),
          422,
          { code: 'core.validation_failed', field },
        );
        expectProblem(
          await admin.post('/api/v1/objects/contacts', {
            properties: { firstname: 'Mass', [field]: value },
          }),
          422,
          { code: 'crm.unknown_property', field: `properties.${field}` },
        );
        const contact = await createRecord(admin, 'contacts', { firstname: 'Target' });
        const afterCreate = await auditHead(server, adminToken);
        expectProblem(
          await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
            properties: { firstname: 'Mass' },
            [field]: value,
          }),
          422,
          { field },
        );
        expect(afterCreate).toBe(head + 1);
        expect(await auditHead(server, adminToken)).toBe(afterCreate);
        expect(await total(admin, 'contacts')).toBe(before + 1);
        expect((await admin.get(`/api/v1/objects/contacts/${contact.id}`)).body).toMatchObject({
          id: contact.id,
          archived: false,
          properties: { firstname: 'Target' },
        });
      },
    );

    it('refuses a prototype-polluting key in properties', async () => {
      const response = await server
        .http()
        .post('/api/v1/objects/contacts')
        .auth(adminToken, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send('{"properties":{"__proto__":{"polluted":true}}}');
      expectProblem(response, 422, { field: 'properties.__proto__' });
    });
  });

  describe('owners', () => {
    const businessUnitOf = async (id: string) =>
      (
        await sql<{ business_unit_id: string | null }>(
          'SELECT business_unit_id FROM crm_contact WHERE id = $1',
          [id],
        )
      )[0].business_unit_id;

    it('makes the creator the owner, with their business unit', async () => {
      const record = await createRecord(callerOf(server, unitMember.token), 'contacts', {
        firstname: 'Mine',
      });
      expect(record.properties.owner_id).toBe(unitMember.id);
      expect(await businessUnitOf(record.id)).toBe(unitId);
    });

    it('assigns an explicit owner, and their business unit follows on create and on change', async () => {
      const record = await createRecord(admin, 'contacts', { owner_id: unitMember.id });
      expect(record.properties.owner_id).toBe(unitMember.id);
      expect(await businessUnitOf(record.id)).toBe(unitId);
      const moved = await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
        properties: { owner_id: member.id },
      });
      expect(moved.body.properties.owner_id).toBe(member.id);
      expect(await businessUnitOf(record.id)).not.toBe(unitId);
      const unowned = await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
        properties: { owner_id: null },
      });
      expect(unowned.body.properties.owner_id).toBeNull();
      expect(await businessUnitOf(record.id)).toBeNull();
      expect(
        (await history('contacts', record.id, { property: 'owner_id' })).map((h) => [
          h.oldValue,
          h.newValue,
        ]),
      ).toEqual([
        [null, unitMember.id],
        [unitMember.id, member.id],
        [member.id, null],
      ]);
    });

    it('leaves records created with an API key without an owner', async () => {
      const record = await createRecord(keyCaller, 'contacts', { firstname: 'Synced' });
      expect(record.properties.owner_id).toBeNull();
      expect(await businessUnitOf(record.id)).toBeNull();
    });

    it.each<[string, () => unknown]>([
      ['an unknown user', () => UNKNOWN_ID],
      ['a deactivated user', () => deactivated.id],
      ['not an id', () => 'admin@example.com'],
      ['a number', () => 42],
    ])('refuses %s as owner with 422 naming properties.owner_id', async (_case, owner) => {
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.post('/api/v1/objects/contacts', { properties: { owner_id: owner() } }),
        422,
        { field: 'properties.owner_id' },
      );
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it("refuses a user of another account as owner, and the other account's users ours", async () => {
      const elsewhere = await newUser(server, other.token);
      expectProblem(
        await admin.post('/api/v1/objects/contacts', { properties: { owner_id: elsewhere.id } }),
        422,
        { code: 'crm.invalid_owner', field: 'properties.owner_id' },
      );
      expectProblem(
        await other.caller.post('/api/v1/objects/contacts', {
          properties: { owner_id: member.id },
        }),
        422,
        { code: 'crm.invalid_owner', field: 'properties.owner_id' },
      );
    });
  });

  describe('archive, restore and purge', () => {
    it('archives: gone from get, list and search; visible with ?archived=true; restorable', async () => {
      const email = `${uniqueName('archived')}@example.com`;
      const record = await createRecord(admin, 'contacts', { email, lastname: 'Archivable' });
      clock.advance(1000);
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 204);
      const archivedAt = clock.now().toISOString();
      expectProblem(await admin.get(`/api/v1/objects/contacts/${record.id}`), 404);
      expectProblem(
        await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { firstname: 'X' },
        }),
        404,
      );
      expectProblem(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 404);
      const archived = await admin.get(`/api/v1/objects/contacts/${record.id}`, { archived: true });
      expect(archived.body).toMatchObject({ id: record.id, archived: true, archivedAt });
      const active = await walkPages<RecordView>((after) =>
        admin.get('/api/v1/objects/contacts', { limit: 100, ...(after ? { after } : {}) }),
      );
      expect(active.pages.flat().map((r) => r.id)).not.toContain(record.id);
      const inArchive = await walkPages<RecordView>((after) =>
        admin.get('/api/v1/objects/contacts', {
          archived: true,
          limit: 100,
          ...(after ? { after } : {}),
        }),
      );
      expect(inArchive.pages.flat().map((r) => r.id)).toContain(record.id);
      const search = await admin.post('/api/v1/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'eq', value: email }] }],
      });
      expect(search.body.total).toBe(0);
      const batch = await admin.post('/api/v1/objects/contacts/batch/read', { ids: [record.id] });
      expect(batch.body.results).toEqual([]);
      // Its history stays readable, and its unique value stays reserved so that it can come back.
      expect((await admin.get(`/api/v1/objects/contacts/${record.id}/history`)).status).toBe(200);
      expectProblem(await admin.post('/api/v1/objects/contacts', { properties: { email } }), 409, {
        field: 'properties.email',
      });

      const restored = await admin.post(`/api/v1/objects/contacts/${record.id}/restore`);
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({
        id: record.id,
        archived: false,
        properties: { email },
      });
      expect(restored.body).not.toHaveProperty('archivedAt');
      expect((await admin.get(`/api/v1/objects/contacts/${record.id}`)).status).toBe(200);
      expectProblem(await admin.post(`/api/v1/objects/contacts/${record.id}/restore`), 404);
      const actions = (await auditEvents(server, adminToken, { targetId: record.id })).map(
        (e) => e.action,
      );
      expect(actions).toEqual(['record.restored', 'record.archived', 'record.created']);
    });

    it('purges for good with ?purge=true: history and unique values gone, audited', async () => {
      const email = `${uniqueName('purged')}@example.com`;
      const record = await createRecord(admin, 'contacts', { email });
      const company = await createRecord(admin, 'companies', { name: 'Purge Inc' });
      expectStatus(
        await admin.put(
          `/api/v1/objects/contacts/${record.id}/associations/companies/${company.id}`,
        ),
        204,
      );
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 204);
      expectStatus(
        await admin.delete(`/api/v1/objects/contacts/${record.id}`, { purge: true }),
        204,
      );
      expectProblem(
        await admin.get(`/api/v1/objects/contacts/${record.id}`, { archived: true }),
        404,
      );
      expectProblem(await admin.get(`/api/v1/objects/contacts/${record.id}/history`), 404);
      expectProblem(await admin.post(`/api/v1/objects/contacts/${record.id}/restore`), 404);
      expect(await count('crm_property_history', 'record_id = $1', [record.id])).toBe(0);
      expect(await count('crm_unique_value', 'record_id = $1', [record.id])).toBe(0);
      expect(
        await count('crm_association', 'from_id = $1 OR to_id = $2', [record.id, record.id]),
      ).toBe(0);
      expect(
        (await admin.get(`/api/v1/objects/companies/${company.id}/associations/contacts`)).body
          .results,
      ).toEqual([]);
      expect(
        (await createRecord(admin, 'contacts', { email: email.toUpperCase() })).properties.email,
      ).toBe(email.toUpperCase());
      const [event] = await auditEvents(server, adminToken, {
        targetId: record.id,
        action: 'record.purged',
      });
      expect(event).toMatchObject({ targetType: 'contacts', metadata: {} });
    });

    it('purges an active record directly with ?purge=true', async () => {
      const record = await createRecord(admin, 'deals', { dealname: 'Gone' });
      expectStatus(await admin.delete(`/api/v1/objects/deals/${record.id}`, { purge: true }), 204);
      expectProblem(await admin.get(`/api/v1/objects/deals/${record.id}`, { archived: true }), 404);
    });

    it('refuses a malformed purge flag with 422', async () => {
      const record = await createRecord(admin, 'deals', { dealname: 'Stays' });
      expectProblem(
        await admin.delete(`/api/v1/objects/deals/${record.id}`, { purge: 'yes' }),
        422,
        {
          field: 'purge',
        },
      );
      expect((await admin.get(`/api/v1/objects/deals/${record.id}`)).status).toBe(200);
    });
  });

  describe('batch create, update and read', () => {
    const inputsOf = (n: number, make: (i: number) => Record<string, unknown>) =>
      Array.from({ length: n }, (_, i) => ({ properties: make(i) }));

    it('creates all items in order, with history from source batch', async () => {
      const tag = uniqueName('batch');
      const response = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(5, (i) => ({ email: `${tag}.${i}@example.com`, lastname: `${tag}${i}` })),
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('COMPLETE');
      const results = response.body.results as RecordView[];
      expect(results.map((r) => r.properties.lastname)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `${tag}${i}`),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(5);
      expect((await history('contacts', results[0].id, { property: 'email' }))[0]).toMatchObject({
        source: 'batch',
        oldValue: null,
        newValue: `${tag}.0@example.com`,
        actor: { kind: 'user', id: adminUserId },
      });
      expect(await auditEvents(server, adminToken, { targetId: results[4].id })).toEqual([
        expect.objectContaining({ action: 'record.created' }),
      ]);
    });

    it('accepts exactly 100 items and refuses 101 or none with 422 naming inputs', async () => {
      const tag = uniqueName('hundred');
      const hundred = await admin.post('/api/v1/objects/companies/batch/create', {
        inputs: inputsOf(100, (i) => ({ name: `${tag} ${i}` })),
      });
      expect(hundred.status).toBe(201);
      expect(hundred.body.results).toHaveLength(100);
      const head = await auditHead(server, adminToken);
      const before = await total(admin, 'companies');
      expectProblem(
        await admin.post('/api/v1/objects/companies/batch/create', {
          inputs: inputsOf(101, (i) => ({ name: `${tag} again ${i}` })),
        }),
        422,
        { field: 'inputs' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/companies/batch/create', { inputs: [] }),
        422,
        {
          field: 'inputs',
        },
      );
      const ids = (hundred.body.results as RecordView[]).map((r) => r.id);
      expectProblem(
        await admin.post('/api/v1/objects/companies/batch/read', { ids: [...ids, UNKNOWN_ID] }),
        422,
        { field: 'ids' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/companies/batch/update', {
          inputs: [...ids, UNKNOWN_ID].map((id) => ({ id, properties: { industry: 'x' } })),
        }),
        422,
        { field: 'inputs' },
      );
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await total(admin, 'companies')).toBe(before);
    });

    it('refuses a batch with one invalid item, naming it, and writes none of them', async () => {
      const tag = uniqueName('allornothing');
      const head = await auditHead(server, adminToken);
      const before = await total(admin, 'contacts');
      const response = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(5, (i) => ({
          lastname: tag,
          email: i === 3 ? 42 : `${tag}.${i}@example.com`,
        })),
      });
      expectProblem(response, 422, {
        code: 'crm.invalid_value',
        field: 'inputs[3].properties.email',
      });
      const unknown = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(3, (i) => (i === 2 ? { lastname: tag, shoe_size: 1 } : { lastname: tag })),
      });
      expectProblem(unknown, 422, {
        code: 'crm.unknown_property',
        field: 'inputs[2].properties.shoe_size',
      });
      const owner = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(2, (i) => ({ lastname: tag, owner_id: i === 1 ? UNKNOWN_ID : member.id })),
      });
      expectProblem(owner, 422, {
        code: 'crm.invalid_owner',
        field: 'inputs[1].properties.owner_id',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await total(admin, 'contacts')).toBe(before);
      expect(await count('crm_contact', 'lastname = $1', [tag])).toBe(0);
    });

    it('refuses unique clashes inside the batch and with existing records with 409 naming the item', async () => {
      const tag = uniqueName('clash');
      const existing = await createRecord(admin, 'contacts', { email: `${tag}.taken@example.com` });
      const head = await auditHead(server, adminToken);
      const before = await count('crm_unique_value');
      const inside = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(5, (i) => ({
          email: i === 4 ? `${tag}.1@EXAMPLE.com` : `${tag}.${i}@example.com`,
        })),
      });
      expectProblem(inside, 409, {
        code: 'crm.unique_value_taken',
        field: 'inputs[4].properties.email',
      });
      expect(inside.body.property).toBe('email');
      const withExisting = await admin.post('/api/v1/objects/contacts/batch/create', {
        inputs: inputsOf(3, (i) => ({
          email: i === 2 ? `${tag}.TAKEN@example.com` : `${tag}.new${i}@example.com`,
        })),
      });
      expectProblem(withExisting, 409, { field: 'inputs[2].properties.email' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await count('crm_unique_value')).toBe(before);
      expect(await count('crm_contact', 'email LIKE $1', [`${tag}%`])).toBe(1);
      const update = await admin.post('/api/v1/objects/contacts/batch/update', {
        inputs: [
          { id: existing.id, properties: { firstname: 'Fine' } },
          ...(await createRecords(admin, 'contacts', [{}])).map((r) => ({
            id: r.id,
            properties: { email: `${tag}.taken@example.com` },
          })),
        ],
      });
      expectProblem(update, 409, { field: 'inputs[1].properties.email' });
      expect(
        (await admin.get(`/api/v1/objects/contacts/${existing.id}`)).body.properties.firstname,
      ).toBeNull();
    });

    it('updates all items, with history from source batch, and swaps unique values in one batch', async () => {
      const tag = uniqueName('swap');
      const [a, b] = await createRecords(admin, 'contacts', [
        { email: `${tag}.a@example.com` },
        { email: `${tag}.b@example.com` },
      ]);
      const response = await admin.post('/api/v1/objects/contacts/batch/update', {
        inputs: [
          { id: a.id, properties: { email: `${tag}.b@example.com`, firstname: 'A' } },
          { id: b.id, properties: { email: `${tag}.a@example.com`, firstname: 'B' } },
        ],
      });
      expect(response.status).toBe(200);
      expect(
        (response.body.results as RecordView[]).map((r) => [r.id, r.properties.email]),
      ).toEqual([
        [a.id, `${tag}.b@example.com`],
        [b.id, `${tag}.a@example.com`],
      ]);
      const [change] = await history('contacts', a.id, { property: 'firstname' });
      expect(change).toMatchObject({ source: 'batch', oldValue: null, newValue: 'A' });
      expectProblem(
        await admin.post('/api/v1/objects/contacts', {
          properties: { email: `${tag}.a@example.com` },
        }),
        409,
      );
    });

    it('refuses a batch update with a duplicate id, an unknown id or an invalid item with 422 naming it', async () => {
      const [a, b] = await createRecords(admin, 'deals', [
        { dealname: 'A', amount: 1 },
        { dealname: 'B', amount: 2 },
      ]);
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.post('/api/v1/objects/deals/batch/update', {
          inputs: [
            { id: a.id, properties: { amount: 10 } },
            { id: b.id, properties: { amount: 20 } },
            { id: a.id, properties: { amount: 30 } },
          ],
        }),
        422,
        { code: 'crm.duplicate_id', field: 'inputs[2].id' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/deals/batch/update', {
          inputs: [
            { id: a.id, properties: { amount: 10 } },
            { id: UNKNOWN_ID, properties: { amount: 20 } },
          ],
        }),
        422,
        { code: 'crm.record_not_found', field: 'inputs[1].id' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/deals/batch/update', {
          inputs: [
            { id: a.id, properties: { amount: 10 } },
            { id: b.id, properties: { amount: 'twenty' } },
          ],
        }),
        422,
        { code: 'crm.invalid_value', field: 'inputs[1].properties.amount' },
      );
      expectProblem(
        await admin.post('/api/v1/objects/deals/batch/update', {
          inputs: [{ id: 'nope', properties: {} }],
        }),
        422,
      );
      expect(await auditHead(server, adminToken)).toBe(head);
      const read = await admin.post('/api/v1/objects/deals/batch/read', { ids: [a.id, b.id] });
      expect((read.body.results as RecordView[]).map((r) => r.properties.amount)).toEqual([1, 2]);
    });

    it('reads by id in the order asked, leaving out unknown and archived ids', async () => {
      const [a, b, c] = await createRecords(admin, 'deals', [
        { dealname: 'A' },
        { dealname: 'B' },
        { dealname: 'C' },
      ]);
      expectStatus(await admin.delete(`/api/v1/objects/deals/${b.id}`), 204);
      const response = await admin.post('/api/v1/objects/deals/batch/read', {
        ids: [c.id, UNKNOWN_ID, b.id, a.id],
        properties: ['dealname'],
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'COMPLETE',
        results: [
          expect.objectContaining({ id: c.id, properties: { dealname: 'C' } }),
          expect.objectContaining({ id: a.id, properties: { dealname: 'A' } }),
        ],
      });
      expectProblem(
        await admin.post('/api/v1/objects/deals/batch/read', { ids: [a.id, a.id] }),
        422,
        {
          field: 'ids',
        },
      );
      expectProblem(await admin.post('/api/v1/objects/deals/batch/read', { ids: ['x'] }), 422, {
        field: 'ids',
      });
    });
  });

  describe('history', () => {
    it('keeps every change with old and new value, source, actor and time, paginated', async () => {
      const record = await createRecord(admin, 'deals', { dealname: 'History', amount: 1 });
      const createdAt = clock.now().toISOString();
      for (let amount = 2; amount <= 6; amount += 1) {
        clock.advance(1000);
        expectStatus(
          await admin.patch(`/api/v1/objects/deals/${record.id}`, { properties: { amount } }),
          200,
        );
      }
      expectStatus(
        await keyCaller.patch(`/api/v1/objects/deals/${record.id}`, {
          properties: { dealstage: 'closedwon' },
        }),
        200,
      );
      const { pages } = await walkPages<HistoryView>((after) =>
        admin.get(`/api/v1/objects/deals/${record.id}/history`, {
          property: 'amount',
          limit: 2,
          ...(after ? { after } : {}),
        }),
      );
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
      const amounts = pages.flat();
      expect(amounts.map((h) => [h.oldValue, h.newValue])).toEqual([
        [null, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 6],
      ]);
      expect(amounts[0]).toEqual({
        property: 'amount',
        oldValue: null,
        newValue: 1,
        source: 'api',
        actor: { kind: 'user', id: adminUserId },
        changedAt: createdAt,
      });
      expect(amounts[5].changedAt).toBe(new Date(Date.parse(createdAt) + 5000).toISOString());
      const all = await history('deals', record.id);
      expect(new Set(all.map((h) => h.property))).toEqual(
        new Set(['dealname', 'amount', 'owner_id', 'dealstage']),
      );
      expect(all.find((h) => h.property === 'dealstage')).toMatchObject({
        source: 'api',
        actor: { kind: 'private_app', id: keyId },
        newValue: 'closedwon',
      });
    });

    it('records no history for a write that changes nothing', async () => {
      const record = await createRecord(admin, 'deals', { dealname: 'Same' });
      expectStatus(
        await admin.patch(`/api/v1/objects/deals/${record.id}`, {
          properties: { dealname: 'Same' },
        }),
        200,
      );
      expect(await history('deals', record.id, { property: 'dealname' })).toHaveLength(1);
    });

    it('refuses an unknown or malformed property with 422 naming property, and answers unknown records with 404', async () => {
      const record = await createRecord(admin, 'deals', { dealname: 'H' });
      expectProblem(
        await admin.get(`/api/v1/objects/deals/${record.id}/history`, { property: 'shoe_size' }),
        422,
        { code: 'crm.unknown_property', field: 'property' },
      );
      expectProblem(
        await admin.get(`/api/v1/objects/deals/${record.id}/history`, { property: 'Deal-Name' }),
        422,
        { field: 'property' },
      );
      expectProblem(
        await admin.get(`/api/v1/objects/deals/${record.id}/history`, { after: 'forged' }),
        422,
        { field: 'after' },
      );
      expectProblem(await admin.get(`/api/v1/objects/deals/${UNKNOWN_ID}/history`), 404);
      expectProblem(await admin.get(`/api/v1/objects/contacts/${record.id}/history`), 404);
    });
  });

  describe('unique values', () => {
    it('compares case-insensitively and frees a value when it changes or is cleared', async () => {
      const tag = uniqueName('uniq');
      const a = await createRecord(admin, 'contacts', { email: `${tag}@example.com` });
      expectProblem(
        await admin.post('/api/v1/objects/contacts', {
          properties: { email: ` ${tag.toUpperCase()}@Example.COM ` },
        }),
        409,
        { code: 'crm.unique_value_taken', field: 'properties.email' },
      );
      // The holder may change the case of its own value.
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${a.id}`, {
          properties: { email: `${tag}@EXAMPLE.com` },
        }),
        200,
      );
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${a.id}`, {
          properties: { email: `${tag}.new@example.com` },
        }),
        200,
      );
      const b = await createRecord(admin, 'contacts', { email: `${tag}@example.com` });
      expectProblem(
        await admin.patch(`/api/v1/objects/contacts/${b.id}`, {
          properties: { email: `${tag}.NEW@example.com` },
        }),
        409,
        { field: 'properties.email' },
      );
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${a.id}`, { properties: { email: null } }),
        200,
      );
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${b.id}`, {
          properties: { email: `${tag}.new@example.com` },
        }),
        200,
      );
      expect(await count('crm_unique_value', 'record_id = $1', [a.id])).toBe(0);
    });

    it('keeps custom unique number properties unique, and lets records without a value coexist', async () => {
      const name = uniqueName('badge');
      await createProperty(admin, 'deals', { name, label: 'Badge', type: 'number', unique: true });
      await createRecord(admin, 'deals', { [name]: 7 });
      expectProblem(
        await admin.post('/api/v1/objects/deals', { properties: { [name]: '7' } }),
        409,
        {
          field: `properties.${name}`,
        },
      );
      await createRecords(admin, 'deals', [{}, {}, { [name]: null }]);
    });

    it('is unique per account: another account may use the same value', async () => {
      const email = `${uniqueName('shared')}@example.com`;
      await createRecord(admin, 'contacts', { email });
      await createRecord(other.caller, 'contacts', { email });
    });

    it('holds under 20 concurrent creates of the same value: one 201, nineteen 409, one row', async () => {
      const email = `${uniqueName('race')}@example.com`;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          admin.post('/api/v1/objects/contacts', {
            properties: { email: i % 2 ? email : email.toUpperCase(), firstname: `Racer ${i}` },
          }),
        ),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array(19).fill(409)]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expectProblem(response, 409, { code: 'crm.unique_value_taken', field: 'properties.email' });
      }
      expect(await count('crm_contact', 'LOWER(email) = $1', [email])).toBe(1);
      expect(await count('crm_unique_value', 'value_key = $1', [email])).toBe(1);
      const winner = responses.find((r) => r.status === 201)!.body as RecordView;
      expect(await auditEvents(server, adminToken, { targetId: winner.id })).toHaveLength(1);
    });

    it('holds under concurrent batch creates sharing one value among other values', async () => {
      const tag = uniqueName('batchrace');
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          admin.post('/api/v1/objects/contacts/batch/create', {
            inputs: [
              { properties: { email: `${tag}.${i}.a@example.com` } },
              { properties: { email: `${tag}.shared@example.com` } },
            ],
          }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expectProblem(response, 409, { field: 'inputs[1].properties.email' });
      }
      expect(await count('crm_contact', 'email LIKE $1', [`${tag}%`])).toBe(2);
    });
  });

  describe('isolation between accounts', () => {
    let foreign: RecordView;
    let foreignCompany: RecordView;

    beforeAll(async () => {
      foreign = await createRecord(other.caller, 'contacts', {
        email: `${uniqueName('foreign')}@example.com`,
        lastname: 'Foreign',
      });
      foreignCompany = await createRecord(other.caller, 'companies', { name: 'Foreign Co' });
    });

    it('answers ids of the other account with 404 everywhere', async () => {
      const ours = await createRecord(admin, 'companies', { name: 'Ours' });
      const path = `/api/v1/objects/contacts/${foreign.id}`;
      expectProblem(await admin.get(path), 404);
      expectProblem(await admin.get(path, { archived: true }), 404);
      expectProblem(await admin.patch(path, { properties: { lastname: 'Hijacked' } }), 404);
      expectProblem(await admin.delete(path), 404);
      expectProblem(await admin.delete(path, { purge: true }), 404);
      expectProblem(await admin.post(`${path}/restore`), 404);
      expectProblem(await admin.get(`${path}/history`), 404);
      expectProblem(await admin.get(`${path}/associations/companies`), 404);
      expectProblem(await admin.put(`${path}/associations/companies/${ours.id}`), 404);
      expectProblem(
        await admin.put(`/api/v1/objects/companies/${ours.id}/associations/contacts/${foreign.id}`),
        404,
      );
      expectProblem(
        await admin.post('/api/v1/objects/contacts/batch/update', {
          inputs: [{ id: foreign.id, properties: { lastname: 'Hijacked' } }],
        }),
        404,
      );
      expect(
        (await admin.post('/api/v1/objects/contacts/batch/read', { ids: [foreign.id] })).body
          .results,
      ).toEqual([]);
      const still = await other.caller.get(path);
      expect(still.body).toMatchObject({ archived: false, properties: { lastname: 'Foreign' } });
      expect(
        (
          await other.caller.get(
            `/api/v1/objects/companies/${foreignCompany.id}/associations/contacts`,
          )
        ).body.results,
      ).toEqual([]);
    });

    it('never lists or finds records of the other account', async () => {
      const listed = await walkPages<RecordView>((after) =>
        admin.get('/api/v1/objects/contacts', { limit: 100, ...(after ? { after } : {}) }),
      );
      expect(listed.pages.flat().map((r) => r.id)).not.toContain(foreign.id);
      const search = await admin.post('/api/v1/objects/contacts/search', {
        filterGroups: [
          { filters: [{ propertyName: 'lastname', operator: 'eq', value: 'Foreign' }] },
        ],
      });
      expect(search.body).toMatchObject({ total: 0, results: [] });
      const theirs = await other.caller.post('/api/v1/objects/contacts/search', { limit: 100 });
      expect((theirs.body.results as RecordView[]).map((r) => r.id)).toContain(foreign.id);
      expect(theirs.body.total).toBe(
        await count('crm_contact', 'account_id = $1 AND archived_at IS NULL', [other.accountId]),
      );
    });

    it("does not see the other account's custom properties", async () => {
      const name = uniqueName('theirs');
      await createProperty(other.caller, 'contacts', { name, label: 'Theirs', type: 'string' });
      expectProblem(await admin.get(`/api/v1/properties/contacts/${name}`), 404);
      expectProblem(
        await admin.post('/api/v1/objects/contacts', { properties: { [name]: 'x' } }),
        422,
        { field: `properties.${name}` },
      );
    });
  });

  describe('audit', () => {
    it('audits created and updated records with property names, never values', async () => {
      const domain = `${uniqueName('secret')}.example.com`;
      const record = await createRecord(admin, 'companies', {
        domain,
        name: 'Secretive',
        industry: null,
      });
      expectStatus(
        await admin.patch(`/api/v1/objects/companies/${record.id}`, {
          properties: { name: 'Open', industry: 'Book', domain },
        }),
        200,
      );
      const events = await auditEvents(server, adminToken, { targetId: record.id });
      expect(
        events.map((e) => ({ action: e.action, targetType: e.targetType, metadata: e.metadata })),
      ).toEqual([
        {
          action: 'record.updated',
          targetType: 'companies',
          metadata: { changed: ['industry', 'name'] },
        },
        {
          action: 'record.created',
          targetType: 'companies',
          metadata: { properties: ['domain', 'name'] },
        },
      ]);
      const text = JSON.stringify(events);
      for (const value of [domain, 'Secretive', 'Open', 'Book']) {
        expect(text).not.toContain(value);
      }
    });

    it('audits the archive purge job as the system, naming the purged ids', async () => {
      // Moves the clock 91 days, past every token's lifetime.
      const old = await createRecord(admin, 'contacts', {
        email: `${uniqueName('old')}@example.com`,
      });
      const kept = await createRecord(admin, 'contacts', { lastname: 'Kept' });
      const active = await createRecord(admin, 'contacts', { lastname: 'Active' });
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${old.id}`), 204);
      const signIn = async () => {
        const token = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
        return { token, caller: callerOf(server, token) };
      };
      clock.advance(60 * DAY_MS);
      expectStatus(
        await (await signIn()).caller.delete(`/api/v1/objects/contacts/${kept.id}`),
        204,
      );
      clock.advance(31 * DAY_MS);
      const job = server.app.get(ArchivePurgeJob);
      expect(await job.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(await job.purgeExpired()).toBe(0);
      const { token, caller: again } = await signIn();
      expectProblem(await again.get(`/api/v1/objects/contacts/${old.id}`, { archived: true }), 404);
      expect(await count('crm_property_history', 'record_id = $1', [old.id])).toBe(0);
      expect(await count('crm_unique_value', 'record_id = $1', [old.id])).toBe(0);
      expect(
        (await again.get(`/api/v1/objects/contacts/${kept.id}`, { archived: true })).status,
      ).toBe(200);
      expect((await again.get(`/api/v1/objects/contacts/${active.id}`)).status).toBe(200);
      const [event] = await auditEvents(server, token, {
        action: 'record.purged',
        targetType: 'contacts',
      });
      expect(event).toMatchObject({
        actor: { kind: 'system' },
        metadata: { reason: 'archive_retention', ids: expect.arrayContaining([old.id]) },
      });
      expect(event.metadata.ids).not.toContain(kept.id);
    });
  });
});
