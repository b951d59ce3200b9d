import { DataSource } from 'typeorm';
import { CustosError, RequestContext, TransactionHost, type Actor } from '@custos/core';
import { AccountCiphers, type AccountCipher } from '@custos/crypto';
import { testDatabaseKinds } from '@custos/core/testing';
import {
  EXPORT_SOURCES,
  type ExportRow,
  type ExportSource,
  type ExportTarget,
} from '@custos/exports';
import {
  CrmExportsModule,
  EXPORT_BATCH_SIZE,
  MASKED_CELL,
  SENSITIVE_EXPORT_BATCH_SIZE,
} from '../../src/crm/exports';
import { PropertySchemaService } from '../../src/crm/properties/property-schemas.service';
import { CrmAccessService } from '../../src/crm/records/crm-access.service';
import { RecordArchive } from '../../src/crm/records/record-archive.service';
import { RecordQuery } from '../../src/crm/records/record-query';
import { RecordWriter } from '../../src/crm/records/record-writer.service';
import { auditEvents } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import { Setup, type Caller } from '../access/access-support';
import { createProperty, createRecords, expectStatus, uniqueName } from './crm-support';

/** Issue 15, items 1–2: the CRM's export sources hold what the requester may export, as they may read it. */

const contacts = (action: string, level: string) => ({ objectType: 'contacts', action, level });

describe.each(testDatabaseKinds())('CRM export sources on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  let adminActor: Actor;
  let salary: string;
  let birthday: string;
  let nationalId: string;
  let diagnosis: string;
  let adminNote: string;
  /** Reads every contact, exports every contact. */
  let exporter: Actor;
  let exporterRole: string;
  /** Reads every contact, exports only their own. */
  let ownExporter: Actor;
  let ownExporterCaller: Caller;
  /** Reads every contact, exports none. */
  let reader: Actor;
  /** Exports every contact but may not read `salary` nor `nationalId`. */
  let restricted: Actor;
  /** Canary: a sensitive value whose presence is checked. */
  const CANARY = `CANARY-${Date.now().toString(36)}`;
  const SECRET_DIAGNOSIS = `DIAG-${Date.now().toString(36)}`;

  const source = (name: string): ExportSource =>
    server.app.get<ExportSource[]>(EXPORT_SOURCES).find((s) => s.name === name)!;
  const as = <T>(actor: Actor, work: () => Promise<T>): Promise<T> =>
    server.app.get(RequestContext).runAs(actor, work);
  const records = (
    selection: Record<string, unknown>,
    properties: string[],
    reveal?: string[],
  ): ExportTarget => ({
    source: 'records',
    selection: { objectType: 'contacts', ...selection },
    properties,
    ...(reveal ? { reveal } : {}),
  });
  const plan = (actor: Actor, target: ExportTarget) =>
    as(actor, () => source(target.source).plan(target));
  const rows = (actor: Actor, target: ExportTarget, signal = new AbortController().signal) =>
    as(actor, async () => {
      const all: ExportRow[] = [];
      for await (const batch of source(target.source).rows(target, signal)) {
        all.push(...batch);
      }
      return all;
    });
  /** Records rows without their first column, the record id. */
  const withoutIds = (all: ExportRow[]) => all.map((row) => row.slice(1));
  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof CustosError)) {
      throw new Error(`expected a CustosError, got ${String(error)}`);
    }
    return {
      kind: error.kind,
      code: error.code,
      fields: error.options.errors?.map((e) => e.field),
    };
  };
  const person = async (privileges: ReturnType<typeof contacts>[]): Promise<Actor> => {
    const user = await setup.userWithRole({ privileges });
    return {
      kind: 'user',
      id: user.id,
      userId: user.id,
      accountId: server.accountId,
      label: user.email,
      superAdmin: false,
    };
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { imports: [CrmExportsModule] });
    const adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    const me = expectStatus(await admin.get('/api/v1/me'), 200).body as { user: { id: string } };
    adminActor = {
      kind: 'user',
      id: me.user.id,
      userId: me.user.id,
      accountId: server.accountId,
      label: 'admin',
      superAdmin: true,
    };
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['health_data', 'government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    salary = uniqueName('salary');
    birthday = uniqueName('birthday');
    nationalId = uniqueName('national_id');
    diagnosis = uniqueName('diagnosis');
    adminNote = uniqueName('admin_note');
    await createProperty(admin, 'contacts', { name: salary, label: salary, type: 'number' });
    await createProperty(admin, 'contacts', { name: birthday, label: birthday, type: 'date' });
    for (const [name, sensitivity] of [
      [nationalId, { highlySensitive: false }],
      [diagnosis, { phi: true, highlySensitive: true }],
      [adminNote, { access: 'super_admins' }],
    ] as const) {
      await createProperty(admin, 'contacts', { name, label: name, type: 'string', sensitivity });
    }
    const account = [contacts('read', 'account'), contacts('export', 'account')];
    exporterRole = (await setup.role({ privileges: account })).id;
    const exportingUser = await setup.user();
    await setup.assign(exporterRole, 'user', exportingUser.id);
    exporter = {
      kind: 'user',
      id: exportingUser.id,
      userId: exportingUser.id,
      accountId: server.accountId,
      label: exportingUser.email,
      superAdmin: false,
    };
    const own = await setup.userWithRole({
      privileges: [
        contacts('read', 'account'),
        contacts('create', 'own'),
        contacts('export', 'own'),
      ],
    });
    ownExporterCaller = own.caller;
    ownExporter = {
      kind: 'user',
      id: own.id,
      userId: own.id,
      accountId: server.accountId,
      label: own.email,
      superAdmin: false,
    };
    reader = await person([contacts('read', 'account')]);
    restricted = await person(account);
    for (const property of [salary, nationalId]) {
      await setup.fieldPermissions('contacts', property, {
        view: [{ type: 'role', id: exporterRole }, { type: 'super_admins' }],
      });
    }
    await createRecords(admin, 'contacts', [
      {
        email: 'de@exports.test',
        country: 'DE',
        [salary]: -5,
        [birthday]: '1990-02-03',
        [nationalId]: CANARY,
        [diagnosis]: SECRET_DIAGNOSIS,
        [adminNote]: 'admin only',
      },
      { email: 'fr@exports.test', country: 'FR', [salary]: 10 },
      { email: '=cmd@exports.test', country: 'FR' },
    ]);
    await createRecords(ownExporterCaller, 'contacts', [
      { email: 'own@exports.test', country: 'IT' },
    ]);
  });

  afterAll(async () => server?.close());

  describe('plan refusals', () => {
    it.each([
      ['an unknown object type', { objectType: 'planets' }, ['email'], 'not_found', undefined],
      [
        'an unknown segment',
        { segmentId: '0193a6c4-7f1e-7c3a-9d1e-0000000000ff' },
        ['email'],
        'not_found',
        undefined,
      ],
      ['no properties', {}, [], 'validation', ['properties']],
      ['an unknown property', {}, ['email', 'nope'], 'validation', ['properties[1]']],
      ['a property named twice', {}, ['email', 'email'], 'validation', ['properties[1]']],
      [
        'an invalid operator',
        { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'like', value: 'x' }] }] },
        ['email'],
        'validation',
        ['selection.filterGroups[0].filters[0].operator'],
      ],
      [
        'an operator the property type refuses',
        { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'lt' }] }] },
        ['email'],
        'validation',
        ['selection.filterGroups[0].filters[0].value'],
      ],
      [
        'a filter and a segment together',
        { filterGroups: [], segmentId: '0193a6c4-7f1e-7c3a-9d1e-0000000000ff' },
        ['email'],
        'validation',
        ['selection.segmentId'],
      ],
      [
        'a selection without object type',
        { objectType: undefined },
        ['email'],
        'validation',
        ['selection.objectType'],
      ],
    ])('refuses %s', async (_case, selection, properties, kind, fields) => {
      const refused = await refusal(plan(exporter, records(selection, properties)));
      expect(refused.kind).toBe(kind);
      if (fields) {
        expect(refused.fields).toEqual(fields);
      }
    });

    it('refuses a property the requester may not read with 403 naming it', async () => {
      await expect(refusal(plan(restricted, records({}, ['email', salary])))).resolves.toEqual({
        kind: 'forbidden',
        code: 'crm.field_not_readable',
        fields: ['properties[1]'],
      });
      // Sensitive for super admins only: nobody else may read it, so nobody else exports it.
      await expect(refusal(plan(exporter, records({}, [adminNote])))).resolves.toMatchObject({
        kind: 'forbidden',
        fields: ['properties[0]'],
      });
    });

    it('refuses filtering by a property the requester may not read (no oracle)', async () => {
      const filterGroups = [{ filters: [{ propertyName: salary, operator: 'gt', value: 0 }] }];
      await expect(
        refusal(plan(restricted, records({ filterGroups }, ['email']))),
      ).resolves.toMatchObject({
        kind: 'forbidden',
        fields: ['selection.filterGroups[0].filters[0].propertyName'],
      });
    });

    it('refuses to reveal what is not an exported highly sensitive property', async () => {
      await expect(
        refusal(plan(exporter, records({}, [nationalId], [nationalId]))),
      ).resolves.toMatchObject({ kind: 'validation', fields: ['reveal[0]'] });
      await expect(
        refusal(plan(exporter, records({}, ['email'], [diagnosis]))),
      ).resolves.toMatchObject({ kind: 'validation', fields: ['reveal[0]'] });
    });

    it("answers another user's private segment as unknown (its filter stays theirs)", async () => {
      const segment = expectStatus(
        await admin.post('/api/v1/segments', {
          name: uniqueName('private'),
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
        }),
        201,
      ).body as { id: string };
      await expect(
        refusal(plan(exporter, records({ segmentId: segment.id }, ['email']))),
      ).resolves.toMatchObject({ kind: 'not_found' });
    });

    it('a segment of another object type is refused naming the segment', async () => {
      const segment = expectStatus(
        await admin.post('/api/v1/segments', {
          name: uniqueName('companies'),
          objectType: 'companies',
          filterGroups: [{ filters: [{ propertyName: 'name', operator: 'has_property' }] }],
          sharing: 'shared_read',
        }),
        201,
      ).body as { id: string };
      await expect(
        refusal(plan(exporter, records({ segmentId: segment.id }, ['email']))),
      ).resolves.toMatchObject({ kind: 'validation', fields: ['selection.segmentId'] });
    });
  });

  describe('what is exported', () => {
    const emails = (all: ExportRow[]) => all.map((row) => row[1]).sort();

    it('holds exactly the records the requester may read and export', async () => {
      const target = records({}, ['email']);
      const everyone = [
        '=cmd@exports.test',
        'de@exports.test',
        'fr@exports.test',
        'own@exports.test',
      ];
      expect(emails(await rows(exporter, target))).toEqual(everyone);
      expect((await plan(exporter, target)).count).toBe(4);
      expect(emails(await rows(ownExporter, target))).toEqual(['own@exports.test']);
      expect((await plan(ownExporter, target)).count).toBe(1);
      // Reading every record is not exporting any.
      expect(await rows(reader, target)).toEqual([]);
      expect((await plan(reader, target)).count).toBe(0);
    });

    it("applies the requester's record rules on export", async () => {
      const role = await setup.role({
        privileges: [contacts('read', 'account'), contacts('export', 'account')],
      });
      const user = await setup.user();
      await setup.assign(role.id, 'user', user.id);
      await setup.rule({ roleId: role.id, actions: ['export'], condition: { country: 'FR' } });
      const actor: Actor = { ...exporter, id: user.id, userId: user.id, label: user.email };
      const target = records({}, ['email']);
      expect(emails(await rows(actor, target))).toEqual(['=cmd@exports.test', 'fr@exports.test']);
      expect((await plan(actor, target)).count).toBe(2);
    });

    it('applies filter groups and segments like the search', async () => {
      const filterGroups = [
        { filters: [{ propertyName: 'country', operator: 'eq', value: 'FR' }] },
      ];
      expect(emails(await rows(exporter, records({ filterGroups }, ['email'])))).toEqual([
        '=cmd@exports.test',
        'fr@exports.test',
      ]);
      const segment = expectStatus(
        await admin.post('/api/v1/segments', {
          name: uniqueName('germans'),
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
          sharing: 'shared_read',
        }),
        201,
      ).body as { id: string; name: string };
      const target = records({ segmentId: segment.id }, ['email']);
      expect(emails(await rows(exporter, target))).toEqual(['de@exports.test']);
      expect((await plan(exporter, target)).description).toEqual({
        objectType: 'contacts',
        segment: { id: segment.id, name: segment.name },
        filters: [[{ propertyName: 'country', operator: 'eq' }]],
      });
      // A sensitive equality filter matches through the blind index, checked again on the value.
      const byCanary = [{ filters: [{ propertyName: nationalId, operator: 'eq', value: CANARY }] }];
      expect(emails(await rows(exporter, records({ filterGroups: byCanary }, ['email'])))).toEqual([
        'de@exports.test',
      ]);
    });

    it('holds the same rows once statistics let SQLite read a narrow scope by its row ids', async () => {
      // With statistics, SQLite reads an export of less than half the live records by the row ids
      // its scope indexes give (in table order), a larger one walks the id index; the maintained
      // counts tell a whole account's export at once (no row ids collected).
      const own = records({}, ['email', 'country']);
      const germans = records(
        { filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }] },
        ['email'],
      );
      const everyone = records({}, ['email']);
      const read = () =>
        Promise.all([rows(ownExporter, own), rows(exporter, germans), rows(exporter, everyone)]);
      const before = await read();
      await server.app.get(DataSource).query('ANALYZE');
      // The bound below which the rows are read by their row ids (none: the id index is walked).
      const rowIdsBound = (actor: Actor) =>
        as(actor, async () => {
          const query = server.app.get(RecordQuery);
          const schema = await server.app.get(PropertySchemaService).schema('contacts');
          const access = await server.app.get(CrmAccessService).forSchema(schema);
          const { rowIds } = await query.allById(
            schema,
            query.scope(schema, access, { action: 'export' }),
          );
          return rowIds?.fewerThan;
        });
      const ownBound = await rowIdsBound(ownExporter);
      const everyoneBound = await rowIdsBound(exporter);
      const after = await read();
      expect(after).toEqual(before);
      if (kind === 'sqlite') {
        expect(ownBound).toBeGreaterThan(after[0].length);
      } else {
        expect(ownBound).toBeUndefined();
      }
      // Every record: the bound (half the live records) is reached, or no row ids are offered.
      expect(everyoneBound === undefined || everyoneBound <= after[2].length).toBe(true);
      expect(emails(after[0])).toEqual(['own@exports.test']);
      // Ordered by id either way.
      for (const exported of after) {
        const ids = exported.map((row) => row[0] as string);
        expect(ids).toEqual([...ids].sort());
      }
      expect(after[2].length).toBeGreaterThanOrEqual(4);
    });

    it('types cells by property type and plans columns without values', async () => {
      const target = records(
        { filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }] },
        ['email', salary, birthday, 'createdate'],
      );
      const planned = await plan(exporter, target);
      expect(planned.columns).toEqual([
        { name: 'record_id', type: 'string', sensitive: false, recordId: true },
        { name: 'email', type: 'string', sensitive: false },
        { name: salary, type: 'number', sensitive: false },
        { name: birthday, type: 'date', sensitive: false },
        { name: 'createdate', type: 'datetime', sensitive: false },
      ]);
      expect(planned.sensitive).toBe(false);
      const [row] = withoutIds(await rows(exporter, target));
      expect(row.slice(0, 3)).toEqual(['de@exports.test', -5, new Date('1990-02-03T00:00:00Z')]);
      expect(row[3]).toBeInstanceOf(Date);
    });
  });

  describe('sensitive values', () => {
    const de = {
      filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
    };

    it('decrypts a sensitive value for a reader allowed to read it, and audits the view', async () => {
      const target = records(de, ['email', nationalId]);
      const planned = await plan(exporter, target);
      expect(planned.sensitive).toBe(true);
      expect(planned.columns[2]).toEqual({ name: nationalId, type: 'string', sensitive: true });
      expect(withoutIds(await rows(exporter, target))).toEqual([['de@exports.test', CANARY]]);
      const token = await server.login();
      const views = await auditEvents(server, token, { action: 'sensitive_data.viewed' });
      expect(views.some((e) => JSON.stringify(e.metadata).includes(nationalId))).toBe(true);
      expect(JSON.stringify(views)).not.toContain(CANARY);
    });

    it('never gives the canary to a requester who may not read it', async () => {
      await expect(
        refusal(rows(restricted, records(de, ['email', nationalId]))),
      ).resolves.toMatchObject({ kind: 'forbidden', fields: ['properties[1]'] });
      const everything = await rows(restricted, records({}, ['email', 'country']));
      expect(JSON.stringify(everything)).not.toContain(CANARY);
      // Nor does any export put it in the server's log.
      expect(server.logs.join('')).not.toContain(CANARY);
    });

    it('masks a highly sensitive value unless revealed, and audits the reveal', async () => {
      const masked = records(de, ['email', diagnosis]);
      expect((await plan(exporter, masked)).columns[2]).toEqual({
        name: diagnosis,
        type: 'string',
        sensitive: false,
      });
      expect(withoutIds(await rows(exporter, masked))).toEqual([['de@exports.test', MASKED_CELL]]);
      const revealing = records(de, ['email', diagnosis], [diagnosis]);
      expect((await plan(exporter, revealing)).sensitive).toBe(true);
      expect(withoutIds(await rows(exporter, revealing))).toEqual([
        ['de@exports.test', SECRET_DIAGNOSIS],
      ]);
      const token = await server.login();
      const reveals = await auditEvents(server, token, { action: 'sensitive_data.revealed' });
      expect(reveals[0].metadata).toMatchObject({ properties: [diagnosis], channel: 'export' });
      expect(JSON.stringify(reveals)).not.toContain(SECRET_DIAGNOSIS);
    });

    it('exports a super-admin-only value to a super admin in person only', async () => {
      const target = records(de, [adminNote]);
      expect(withoutIds(await rows(adminActor, target))).toEqual([['admin only']]);
    });
  });

  describe('history', () => {
    const history = (
      selection: Record<string, unknown>,
      properties: string[],
      reveal?: string[],
    ) => ({
      source: 'history',
      selection: { objectType: 'contacts', ...selection },
      properties,
      ...(reveal ? { reveal } : {}),
    });

    it('holds the history of exportable records and readable properties only', async () => {
      const own = await rows(ownExporter, history({}, ['email']));
      expect(own.map((row) => [row[1], row[2], row[5]])).toEqual([
        ['email', 'own@exports.test', 'batch'],
      ]);
      expect(own[0][3]).toBeInstanceOf(Date);
      expect(own[0][4]).toBe(`user:${ownExporter.id}`);
      const all = await rows(exporter, history({}, ['email']));
      expect(all).toHaveLength(4);
      await expect(refusal(plan(restricted, history({}, [salary])))).resolves.toMatchObject({
        kind: 'forbidden',
        fields: ['properties[0]'],
      });
      expect(await rows(reader, history({}, ['email']))).toEqual([]);
    });

    it('types the value column by the properties and opens sealed values under the same policy', async () => {
      const planned = await plan(exporter, history({}, [salary]));
      expect(planned.columns.map((c) => [c.name, c.type, c.sensitive])).toEqual([
        ['record_id', 'string', false],
        ['property', 'string', false],
        ['value', 'number', false],
        ['changed_at', 'datetime', false],
        ['changed_by', 'string', false],
        ['source', 'string', false],
      ]);
      expect((await rows(exporter, history({}, [salary]))).map((row) => row[2]).sort()).toEqual([
        -5, 10,
      ]);
      expect((await rows(exporter, history({}, [nationalId]))).map((row) => row[2])).toEqual([
        CANARY,
      ]);
      expect((await rows(exporter, history({}, [diagnosis]))).map((row) => row[2])).toEqual([
        MASKED_CELL,
      ]);
      expect(
        (await rows(exporter, history({}, [diagnosis], [diagnosis]))).map((row) => row[2]),
      ).toEqual([SECRET_DIAGNOSIS]);
    });

    it('holds only the named records', async () => {
      const [first] = await rows(exporter, history({}, ['email']));
      const named = await rows(exporter, history({ recordIds: [first[0]] }, ['email']));
      expect(named).toEqual([first]);
    });
  });

  describe('batches', () => {
    it('streams past a batch boundary, as of one moment, and stops when the signal aborts', async () => {
      // Written in process (a page and one more through HTTP would take long).
      await as(adminActor, () =>
        server.app.get(RecordWriter).createMany(
          'companies',
          Array.from({ length: EXPORT_BATCH_SIZE + 1 }, (_, i) => ({ name: `Company ${i}` })),
          'api',
          () => 'properties',
        ),
      );
      const target: ExportTarget = {
        source: 'records',
        selection: { objectType: 'companies' },
        properties: ['name'],
      };
      const all = await rows(adminActor, target);
      expect(all).toHaveLength(EXPORT_BATCH_SIZE + 1);
      expect(new Set(all.map((row) => row[1])).size).toBe(EXPORT_BATCH_SIZE + 1);
      // A company created after the first batch is not in the export: it holds one moment.
      const streamed = await as(adminActor, async () => {
        const names: unknown[] = [];
        for await (const batch of source('records').rows(target, new AbortController().signal)) {
          if (names.length === 0) {
            await server.app
              .get(RecordWriter)
              .createMany('companies', [{ name: 'Created mid-export' }], 'api', () => 'properties');
          }
          names.push(...batch.map((row) => row[1]));
        }
        return names;
      });
      expect(streamed).toHaveLength(EXPORT_BATCH_SIZE + 1);
      expect(streamed).not.toContain('Created mid-export');
      const controller = new AbortController();
      const received = await as(adminActor, async () => {
        let count = 0;
        for await (const batch of source('records').rows(target, controller.signal)) {
          count += batch.length;
          controller.abort();
        }
        return count;
      });
      expect(received).toBe(EXPORT_BATCH_SIZE);
    });

    it("holds one page's subject keys at a time, however many pages a sensitive export reads", async () => {
      const marker = uniqueName('paged');
      const created = await as(adminActor, () =>
        server.app.get(RecordWriter).createMany(
          'contacts',
          Array.from({ length: SENSITIVE_EXPORT_BATCH_SIZE + 1 }, (_, i) => ({
            email: `${marker}-${i}@exports.test`,
            country: marker,
            [nationalId]: `id-${i}`,
          })),
          'api',
          () => 'properties',
        ),
      );
      const ciphers = server.app.get(AccountCiphers);
      const made: AccountCipher[] = [];
      const forAccount = ciphers.forAccount.bind(ciphers);
      const spy = jest.spyOn(ciphers, 'forAccount').mockImplementation(async (accountId) => {
        const cipher = await forAccount(accountId);
        made.push(cipher);
        return cipher;
      });
      const held: number[] = [];
      let values = 0;
      try {
        const target = records(
          {
            filterGroups: [
              { filters: [{ propertyName: 'country', operator: 'eq', value: marker }] },
            ],
          },
          ['email', nationalId],
        );
        await as(exporter, async () => {
          for await (const batch of source('records').rows(target, new AbortController().signal)) {
            held.push(
              Math.max(
                ...made.map((cipher) => cipher.loadedSubjectKeys + cipher.openedAheadRecords),
              ),
            );
            values += batch.filter((row) => String(row[2]).startsWith('id-')).length;
          }
        });
      } finally {
        spy.mockRestore();
        // Purged again: the other tests (in random order) count every contact.
        await server.app.get(TransactionHost).run((manager) =>
          server.app.get(RecordArchive).purge(manager, {
            accountId: server.accountId,
            objectType: 'contacts',
            recordIds: created.records.map((record) => record.id),
          }),
        );
      }
      expect(values).toBe(SENSITIVE_EXPORT_BATCH_SIZE + 1);
      // Every value opened, and when each batch left no key of an earlier page was still held.
      expect(held).toHaveLength(2);
      expect(held.every((count) => count <= SENSITIVE_EXPORT_BATCH_SIZE)).toBe(true);
      expect(
        Math.max(...made.map((cipher) => cipher.loadedSubjectKeys + cipher.openedAheadRecords)),
      ).toBe(0);
    });
  });
});
