import { createMongoAbility, subject, type RawRuleOf, type MongoAbility } from '@casl/ability';
import { unpackRules, type PackRule } from '@casl/ability/extra';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  callerOf,
  contactEmail,
  expectStatus,
  listAll,
  personId,
  Setup,
  unique,
  type Caller,
  type RecordView,
  type RoleView,
} from './access-support';

const READ_ACCOUNT = { objectType: 'contacts', action: 'read', level: 'account' };
const WRITE_ACCOUNT = [
  READ_ACCOUNT,
  { objectType: 'contacts', action: 'create', level: 'account' },
  { objectType: 'contacts', action: 'update', level: 'account' },
];

interface Explanation {
  allowed: boolean;
  decidedBy: { kind: string; roleId?: string; level?: string; ruleId?: string; property?: string };
  detail: string;
}

interface ImportView {
  id: string;
  status: string;
  created: number;
  failed: number;
}

describe.each(testDatabaseKinds())('record rules and field permissions on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let setup: Setup;
  let admin: Caller;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    expectStatus(
      await admin.post('/api/v1/properties/contacts', {
        name: 'salary',
        label: 'Salary',
        type: 'number',
      }),
      201,
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  /** Which of these records the caller finds by searching for their emails. */
  const visibleOf = async (caller: Caller, records: RecordView[]): Promise<string[]> => {
    const response = expectStatus(
      await caller.post('/api/v1/objects/contacts/search', {
        filterGroups: [
          {
            filters: [
              {
                propertyName: 'email',
                operator: 'in',
                values: records.map((r) => r.properties.email),
              },
            ],
          },
        ],
        limit: 100,
      }),
      200,
    );
    const ids = (response.body.results as RecordView[]).map((r) => r.id);
    expect(response.body.total).toBe(ids.length);
    return records.filter((r) => ids.includes(r.id)).map((r) => r.properties.email as string);
  };

  /** Runs `work` with an account-wide rule in place, removing it afterwards. */
  const withRule = async (
    rule: Parameters<Setup['rule']>[0],
    work: (ruleId: string) => Promise<void>,
  ): Promise<void> => {
    const id = await setup.rule(rule);
    try {
      await work(id);
    } finally {
      await setup.deleteRule(id);
    }
  };

  describe('record rules', () => {
    it("OR's the rules of a role, which narrow only that role's grants", async () => {
      const user = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      await setup.rule({ roleId: user.roleId, condition: { country: 'DE' } });
      await setup.rule({ roleId: user.roleId, condition: { city: 'Berlin' } });
      const own = await setup.role({
        privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
      });
      await setup.assign(own.id, 'user', user.id);
      const deParis = await setup.contact({ country: 'DE', city: 'Paris' });
      const frBerlin = await setup.contact({ country: 'FR', city: 'Berlin' });
      const frParis = await setup.contact({ country: 'FR', city: 'Paris' });
      const ownFrParis = await setup.contact({ country: 'FR', city: 'Paris', owner_id: user.id });
      expect(await visibleOf(user.caller, [deParis, frBerlin, frParis, ownFrParis])).toEqual(
        [deParis, frBerlin, ownFrParis].map((r) => r.properties.email),
      );
      expect((await user.caller.get(`/api/v1/objects/contacts/${frParis.id}`)).status).toBe(404);
    });

    it("AND's account-wide restrict rules over every role of everyone, but not super admins", async () => {
      const user = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const own = await setup.role({
        privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
      });
      await setup.assign(own.id, 'user', user.id);
      const lead = await setup.contact({ lifecyclestage: 'lead' });
      const customer = await setup.contact({ lifecyclestage: 'customer' });
      const ownCustomer = await setup.contact({ lifecyclestage: 'customer', owner_id: user.id });
      const all = [lead, customer, ownCustomer];
      await withRule({ condition: { lifecyclestage: { $ne: 'customer' } } }, async () => {
        expect(await visibleOf(user.caller, all)).toEqual([lead.properties.email]);
        expect(await visibleOf(admin, all)).toHaveLength(3);
        await withRule({ condition: { country: { $exists: true } } }, async () => {
          expect(await visibleOf(user.caller, all)).toEqual([]);
        });
      });
      expect(await visibleOf(user.caller, all)).toHaveLength(3);
    });

    it('lets deny rules win over any grant (account-wide, and per role for one action)', async () => {
      const user = await setup.userWithRole({
        privileges: [
          ...WRITE_ACCOUNT,
          { objectType: 'contacts', action: 'delete', level: 'account' },
        ],
      });
      const fr = await setup.contact({ country: 'FR' });
      const de = await setup.contact({ country: 'DE' });
      await withRule({ effect: 'deny', condition: { country: 'FR' } }, async () => {
        expect(await visibleOf(user.caller, [fr, de])).toEqual([de.properties.email]);
        expect((await user.caller.get(`/api/v1/objects/contacts/${fr.id}`)).status).toBe(404);
        expect((await admin.get(`/api/v1/objects/contacts/${fr.id}`)).status).toBe(200);
      });
      await setup.rule({
        roleId: user.roleId,
        effect: 'deny',
        actions: ['update', 'delete'],
        condition: { country: 'DE' },
      });
      expect((await user.caller.get(`/api/v1/objects/contacts/${de.id}`)).status).toBe(200);
      expectProblem(
        await user.caller.patch(`/api/v1/objects/contacts/${de.id}`, {
          properties: { firstname: 'Denied' },
        }),
        403,
        { code: 'crm.record_forbidden' },
      );
      expectProblem(await user.caller.delete(`/api/v1/objects/contacts/${de.id}`), 403, {
        code: 'crm.record_forbidden',
      });
      expectStatus(
        await user.caller.patch(`/api/v1/objects/contacts/${fr.id}`, {
          properties: { firstname: 'Allowed' },
        }),
        200,
      );
      // A deny rule of a role binds its holders only.
      const other = await setup.userWithRole({ privileges: WRITE_ACCOUNT });
      expectStatus(
        await other.caller.patch(`/api/v1/objects/contacts/${de.id}`, {
          properties: { firstname: 'Other' },
        }),
        200,
      );
    });

    it('resolves the placeholders $user.id, $user.teamMemberIds and $user.businessUnitTreeIds', async () => {
      const top = await setup.businessUnit();
      const below = await setup.businessUnit(unique('below'), top);
      const elsewhere = await setup.businessUnit();
      const team = await setup.team();
      const ownerOf = async (fields: Parameters<Setup['user']>[0]) => (await setup.user(fields)).id;
      const mateId = await ownerOf({ teamIds: [team], businessUnitId: below });
      const strangerId = await ownerOf({ businessUnitId: elsewhere });
      const scoped = async (condition: Record<string, unknown>) => {
        const user = await setup.userWithRole(
          { privileges: [READ_ACCOUNT] },
          { teamIds: [team], businessUnitId: top },
        );
        await setup.rule({ roleId: user.roleId, condition });
        return user;
      };
      const byId = await scoped({ ownerId: '$user.id' });
      const byTeam = await scoped({ ownerId: { $in: '$user.teamMemberIds' } });
      const byTree = await scoped({ businessUnitId: { $in: '$user.businessUnitTreeIds' } });
      const mine = await setup.contact({ owner_id: byId.id });
      const mates = await setup.contact({ owner_id: mateId });
      const strangers = await setup.contact({ owner_id: strangerId });
      const records = [mine, mates, strangers];
      expect(await visibleOf(byId.caller, records)).toEqual([mine.properties.email]);
      expect(await visibleOf(byTeam.caller, records)).toEqual([
        mine.properties.email,
        mates.properties.email,
      ]);
      // byId's record is in byId's unit (top) and the mate's in the unit below it.
      expect(await visibleOf(byTree.caller, records)).toEqual([
        mine.properties.email,
        mates.properties.email,
      ]);
    });

    it('refuses invalid conditions with 422 naming the path, saving nothing', async () => {
      const before = expectStatus(await admin.get('/api/v1/record-rules'), 200).body.results
        .length as number;
      const cases: [Record<string, unknown>, string][] = [
        [{ nosuchfield: 'x' }, 'condition.nosuchfield'],
        [{ email: { $regex: '^a' } }, 'condition.email.$regex'],
        [{ $where: 'this.email' }, 'condition.$where'],
        [
          { $or: [{ country: 'DE' }, { email: { $elemMatch: { a: 1 } } }] },
          'condition.$or[1].email.$elemMatch',
        ],
        [{ country: null }, 'condition.country'],
        [{ country: 5 }, 'condition.country'],
        [{ salary: { $gt: 'much' } }, 'condition.salary.$gt'],
        [{ ownerId: '$user.nothing' }, 'condition.ownerId'],
        [{ country: { $in: '$user.id' } }, 'condition.country.$in'],
        [{ $or: [] }, 'condition.$or'],
        [{ country: { $not: 'DE' } }, 'condition.country.$not'],
      ];
      for (const [condition, field] of cases) {
        expectProblem(
          await admin.post('/api/v1/record-rules', {
            name: unique('bad'),
            objectType: 'contacts',
            actions: ['read'],
            effect: 'restrict',
            condition,
          }),
          422,
          { code: 'access.invalid_condition', field },
        );
      }
      expectProblem(
        await admin.post('/api/v1/record-rules', {
          name: unique('bad'),
          objectType: 'unicorns',
          actions: ['read'],
          effect: 'restrict',
          condition: {},
        }),
        422,
        { field: 'objectType' },
      );
      for (const body of [
        { actions: [], condition: { country: 'DE' } },
        { actions: ['fly'], condition: { country: 'DE' } },
        { actions: ['read'], condition: 'country = DE' },
        { actions: ['read'], condition: { country: 'DE' }, effect: 'allow' },
      ]) {
        expect(
          (
            await admin.post('/api/v1/record-rules', {
              name: unique('bad'),
              objectType: 'contacts',
              effect: 'restrict',
              ...body,
            })
          ).status,
        ).toBe(422);
      }
      expect(
        (
          await admin.post('/api/v1/record-rules', {
            name: unique('bad'),
            objectType: 'contacts',
            actions: ['read'],
            effect: 'restrict',
            roleId: UNKNOWN_ID,
            condition: { country: 'DE' },
          })
        ).status,
      ).toBe(404);
      expect(expectStatus(await admin.get('/api/v1/record-rules'), 200).body.results.length).toBe(
        before,
      );
    });

    it('refuses loosening a rule to one who does not hold in full what it keeps back (403)', async () => {
      // A partner-like role manager: reads all contacts, but only in DE.
      const narrowed = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      const own = await setup.rule({ roleId: narrowed.roleId, condition: { country: 'DE' } });
      const fr = await setup.contact({ country: 'FR' });
      const replacement = {
        name: 'open',
        objectType: 'contacts',
        actions: ['read'],
        effect: 'restrict',
        roleId: narrowed.roleId,
        condition: { country: { $exists: true } },
      };
      expectProblem(await narrowed.caller.delete(`/api/v1/record-rules/${own}`), 403, {
        code: 'access.grant_ceiling',
      });
      expectProblem(await narrowed.caller.put(`/api/v1/record-rules/${own}`, replacement), 403, {
        code: 'access.grant_ceiling',
      });
      expect((await narrowed.caller.get(`/api/v1/objects/contacts/${fr.id}`)).status).toBe(404);
      expect(expectStatus(await admin.get(`/api/v1/record-rules/${own}`), 200).body).toMatchObject({
        condition: { country: 'DE' },
      });

      // Account-wide rules bind everyone but super admins: only they may loosen them.
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      await withRule(
        { effect: 'deny', actions: ['share'], condition: { country: 'FR' } },
        async (id) => {
          expectProblem(await manager.caller.delete(`/api/v1/record-rules/${id}`), 403, {
            code: 'access.grant_ceiling',
          });
        },
      );

      // Narrowing is always allowed, and so is loosening what one holds in full.
      const team = await setup.role({
        privileges: [{ objectType: 'contacts', action: 'read', level: 'team' }],
      });
      const created = expectStatus(
        await manager.caller.post('/api/v1/record-rules', { ...replacement, roleId: team.id }),
        201,
      ).body as { id: string };
      expectStatus(await manager.caller.delete(`/api/v1/record-rules/${created.id}`), 204);
    });

    it('reads, replaces and deletes rules, effective on the next request and audited', async () => {
      const user = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const de = await setup.contact({ country: 'DE' });
      const fr = await setup.contact({ country: 'FR' });
      const id = await setup.rule({ roleId: user.roleId, condition: { country: 'DE' } });
      const got = expectStatus(await admin.get(`/api/v1/record-rules/${id}`), 200).body;
      expect(got).toMatchObject({
        id,
        objectType: 'contacts',
        actions: ['read'],
        effect: 'restrict',
        roleId: user.roleId,
        condition: { country: 'DE' },
      });
      expect(await visibleOf(user.caller, [de, fr])).toEqual([de.properties.email]);
      expectStatus(
        await admin.put(`/api/v1/record-rules/${id}`, {
          name: got.name,
          objectType: 'contacts',
          actions: ['read'],
          effect: 'restrict',
          roleId: user.roleId,
          condition: { country: 'FR' },
        }),
        200,
      );
      expect(await visibleOf(user.caller, [de, fr])).toEqual([fr.properties.email]);
      expectStatus(await admin.delete(`/api/v1/record-rules/${id}`), 204);
      expect(await visibleOf(user.caller, [de, fr])).toHaveLength(2);
      expectProblem(await admin.get(`/api/v1/record-rules/${id}`), 404, {
        code: 'access.rule_not_found',
      });

      const events = await auditEvents(server, adminToken, { targetId: id });
      expect(events.map((e) => e.action).sort()).toEqual([
        'record_rule.created',
        'record_rule.deleted',
        'record_rule.updated',
      ]);
      expect(events.find((e) => e.action === 'record_rule.updated')!.metadata).toMatchObject({
        before: { condition: { country: 'DE' } },
        after: { condition: { country: 'FR' } },
      });
    });
  });

  describe('field permissions', () => {
    let hrTeam: string;
    let reader: Awaited<ReturnType<Setup['userWithRole']>>;
    let hr: Awaited<ReturnType<Setup['userWithRole']>>;
    let record: RecordView;

    beforeAll(async () => {
      hrTeam = await setup.team('HR');
      reader = await setup.userWithRole({ privileges: WRITE_ACCOUNT, taskPrivileges: ['import'] });
      hr = await setup.userWithRole({ privileges: WRITE_ACCOUNT }, { teamIds: [hrTeam] });
      await setup.fieldPermissions('contacts', 'salary', {
        view: [{ type: 'team', id: hrTeam }],
        edit: [{ type: 'team', id: hrTeam }],
      });
      record = await setup.contact({ salary: 50_000, firstname: 'Paid' });
    });

    const expectRedacted = (view: RecordView, property: string) => {
      expect(view.properties).not.toHaveProperty(property);
      expect(view.redacted).toContain(property);
    };

    it('leaves a hidden property out of get, list, search and batch read, naming it in redacted', async () => {
      const got = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}`),
        200,
      ).body as RecordView;
      expectRedacted(got, 'salary');
      expect(got.redacted).toEqual(['salary']);
      expect(got.properties.firstname).toBe('Paid');
      const selected = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}`, {
          properties: 'email,salary',
        }),
        200,
      ).body as RecordView;
      expect(selected).toMatchObject({
        properties: { email: record.properties.email },
        redacted: ['salary'],
      });
      expect(Object.keys(selected.properties)).toEqual(['email']);

      const listed = (await listAll(reader.caller)).find((r) => r.id === record.id)!;
      expectRedacted(listed, 'salary');
      const searched = expectStatus(
        await reader.caller.post('/api/v1/objects/contacts/search', {
          filterGroups: [
            {
              filters: [{ propertyName: 'email', operator: 'eq', value: record.properties.email }],
            },
          ],
          properties: ['email', 'salary'],
        }),
        200,
      ).body.results as RecordView[];
      expect(searched).toHaveLength(1);
      expectRedacted(searched[0], 'salary');
      const batch = expectStatus(
        await reader.caller.post('/api/v1/objects/contacts/batch/read', {
          ids: [record.id],
          properties: ['salary', 'firstname'],
        }),
        200,
      ).body.results as RecordView[];
      expect(batch).toHaveLength(1);
      expect(batch[0]).toMatchObject({ properties: { firstname: 'Paid' }, redacted: ['salary'] });

      // Writes answer with the record as the writer may see it, too.
      const patched = expectStatus(
        await reader.caller.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { jobtitle: 'Engineer' },
        }),
        200,
      ).body as RecordView;
      expectRedacted(patched, 'salary');

      const asHr = expectStatus(await hr.caller.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(asHr.properties.salary).toBe(50_000);
      expect(asHr.redacted).toEqual([]);
    });

    it('refuses writes touching a property one may not edit with 403 naming it, writing nothing', async () => {
      const before = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expectProblem(
        await reader.caller.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { firstname: 'Sneaky', salary: 1 },
        }),
        403,
        { code: 'crm.field_not_editable', field: 'properties.salary' },
      );
      const email = contactEmail('salary');
      expectProblem(
        await reader.caller.post('/api/v1/objects/contacts', {
          properties: { email, salary: 1 },
        }),
        403,
        { code: 'crm.field_not_editable', field: 'properties.salary' },
      );
      const other = await setup.contact();
      expectProblem(
        await reader.caller.post('/api/v1/objects/contacts/batch/update', {
          inputs: [
            { id: other.id, properties: { firstname: 'Batch' } },
            { id: record.id, properties: { salary: 2 } },
          ],
        }),
        403,
        { code: 'crm.field_not_editable', field: 'inputs[1].properties.salary' },
      );
      expectProblem(
        await reader.caller.post('/api/v1/objects/contacts/batch/create', {
          inputs: [
            { properties: { email: contactEmail('ok') } },
            { properties: { email: contactEmail('not'), salary: 3 } },
          ],
        }),
        403,
        { code: 'crm.field_not_editable', field: 'inputs[1].properties.salary' },
      );
      const after = expectStatus(await admin.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(after.properties).toEqual(before.properties);
      expect(
        (
          expectStatus(await admin.get(`/api/v1/objects/contacts/${other.id}`), 200)
            .body as RecordView
        ).properties.firstname,
      ).toBe(other.properties.firstname);
      const found = expectStatus(
        await admin.post('/api/v1/objects/contacts/search', {
          filterGroups: [{ filters: [{ propertyName: 'email', operator: 'eq', value: email }] }],
        }),
        200,
      ).body;
      expect(found.total).toBe(0);
      // HR may (on a record of this test: the others read the salary of `record`).
      expectStatus(
        await hr.caller.patch(`/api/v1/objects/contacts/${other.id}`, {
          properties: { salary: 60_000 },
        }),
        200,
      );
    });

    it('reports CSV import rows that set a property one may not edit, importing the others', async () => {
      const allowed = contactEmail('import-ok');
      const refused = contactEmail('import-no');
      const csv = `Email,Salary\r\n${allowed},\r\n${refused},70000\r\n`;
      const upload = await server
        .http()
        .post('/api/v1/imports')
        .auth(reader.token, { type: 'bearer' })
        .field('objectType', 'contacts')
        .field('mapping', JSON.stringify({ Email: 'email', Salary: 'salary' }))
        .field('mode', 'create')
        .attach('file', Buffer.from(csv, 'utf8'), {
          filename: 'contacts.csv',
          contentType: 'text/csv',
        });
      expectStatus(upload, 202);
      let view: ImportView = upload.body as ImportView;
      for (let i = 0; i < 500 && view.status !== 'done' && view.status !== 'failed'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        view = expectStatus(await reader.caller.get(`/api/v1/imports/${view.id}`), 200)
          .body as ImportView;
      }
      expect(view).toMatchObject({ status: 'done', created: 1, failed: 1 });
      const errors = expectStatus(await reader.caller.get(`/api/v1/imports/${view.id}/errors`), 200)
        .body.results as { row: number; column: string | null; reason: string }[];
      expect(errors).toEqual([
        { row: 2, column: 'Salary', reason: expect.stringContaining('salary') },
      ]);
      expect(JSON.stringify(errors)).not.toContain('70000');
      const found = expectStatus(
        await admin.post('/api/v1/objects/contacts/search', {
          filterGroups: [
            { filters: [{ propertyName: 'email', operator: 'in', values: [allowed, refused] }] },
          ],
        }),
        200,
      ).body.results as RecordView[];
      expect(found.map((r) => r.properties.email)).toEqual([allowed]);
    });

    it('refuses filtering, sorting and history by a hidden property (no oracle)', async () => {
      expectProblem(
        await reader.caller.post('/api/v1/objects/contacts/search', {
          filterGroups: [
            { filters: [{ propertyName: 'firstname', operator: 'eq', value: 'Paid' }] },
            {
              filters: [
                { propertyName: 'firstname', operator: 'eq', value: 'Paid' },
                { propertyName: 'salary', operator: 'gt', value: 10_000 },
              ],
            },
          ],
        }),
        403,
        { code: 'crm.field_not_readable', field: 'filterGroups[1].filters[1].propertyName' },
      );
      expectProblem(
        await reader.caller.post('/api/v1/objects/contacts/search', {
          sorts: [{ propertyName: 'salary', direction: 'DESCENDING' }],
        }),
        403,
        { code: 'crm.field_not_readable', field: 'sorts[0].propertyName' },
      );
      expectProblem(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}/history`, {
          property: 'salary',
        }),
        403,
        { code: 'crm.field_not_readable' },
      );
      const segment = expectStatus(
        await admin.post('/api/v1/segments', {
          name: unique('well paid'),
          objectType: 'contacts',
          sharing: 'shared_read',
          filterGroups: [{ filters: [{ propertyName: 'salary', operator: 'gt', value: 10_000 }] }],
        }),
        201,
      ).body as { id: string };
      expectProblem(await reader.caller.get(`/api/v1/segments/${segment.id}/members`), 403, {
        code: 'crm.field_not_readable',
      });
      expectStatus(await hr.caller.get(`/api/v1/segments/${segment.id}/members`), 200);
      expectStatus(
        await hr.caller.post('/api/v1/objects/contacts/search', {
          filterGroups: [{ filters: [{ propertyName: 'salary', operator: 'gt', value: 10_000 }] }],
          sorts: [{ propertyName: 'salary', direction: 'DESCENDING' }],
        }),
        200,
      );
    });

    it('hides the history of a hidden property', async () => {
      const contact = await setup.contact({ salary: 1000 });
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { salary: 2000, firstname: 'Visible' },
        }),
        200,
      );
      const properties = async (caller: Caller) =>
        (
          expectStatus(
            await caller.get(`/api/v1/objects/contacts/${contact.id}/history`, { limit: 100 }),
            200,
          ).body.results as { property: string }[]
        ).map((h) => h.property);
      expect(await properties(reader.caller)).not.toContain('salary');
      expect(await properties(reader.caller)).toContain('firstname');
      expect(await properties(hr.caller)).toContain('salary');
    });

    it('always shows super admins everything, whoever is on the lists', async () => {
      await setup.fieldPermissions('contacts', 'birthdate', {
        view: [{ type: 'user', id: hr.id }],
      });
      const contact = await setup.contact({ birthdate: '1990-01-02' });
      const got = expectStatus(await admin.get(`/api/v1/objects/contacts/${contact.id}`), 200)
        .body as RecordView;
      expect(got.properties.birthdate).toBe('1990-01-02');
      expect(got.redacted).toEqual([]);
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { birthdate: '1990-01-03' },
        }),
        200,
      );
      await setup.fieldPermissions('contacts', 'birthdate', {});
    });

    it('follows each kind of principal: everyone, super_admins, user, team, role', async () => {
      const onlyHrRole = await setup.role({});
      await setup.assign(onlyHrRole.id, 'user', hr.id);
      const contact = await setup.contact({ jobtitle: 'CEO' });
      const sees = async (caller: Caller) => {
        const view = expectStatus(await caller.get(`/api/v1/objects/contacts/${contact.id}`), 200)
          .body as RecordView;
        return 'jobtitle' in view.properties;
      };
      const cases: [{ type: string; id?: string }[], boolean, boolean][] = [
        [[{ type: 'everyone' }], true, true],
        [[{ type: 'super_admins' }], false, false],
        [[{ type: 'user', id: reader.id }], true, false],
        [[{ type: 'team', id: hrTeam }], false, true],
        [[{ type: 'role', id: onlyHrRole.id }], false, true],
        [
          [
            { type: 'role', id: reader.roleId },
            { type: 'user', id: hr.id },
          ],
          true,
          true,
        ],
        [[], true, true],
      ];
      for (const [view, readerSees, hrSees] of cases) {
        await setup.fieldPermissions('contacts', 'jobtitle', { view });
        expect([await sees(reader.caller), await sees(hr.caller), await sees(admin)]).toEqual([
          readerSees,
          hrSees,
          true,
        ]);
      }
    });

    it('lets only those on the edit list (who may also view) edit', async () => {
      await setup.fieldPermissions('contacts', 'company', {
        view: [{ type: 'everyone' }],
        edit: [{ type: 'user', id: hr.id }],
      });
      const contact = await setup.contact();
      expectProblem(
        await reader.caller.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { company: 'Acme' },
        }),
        403,
        { code: 'crm.field_not_editable', field: 'properties.company' },
      );
      expectStatus(
        await hr.caller.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { company: 'Acme' },
        }),
        200,
      );
      // On the edit list but not the view list: may not edit either.
      await setup.fieldPermissions('contacts', 'company', {
        view: [{ type: 'super_admins' }],
        edit: [{ type: 'user', id: hr.id }],
      });
      expectProblem(
        await hr.caller.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { company: 'Other' },
        }),
        403,
        { code: 'crm.field_not_editable' },
      );
      await setup.fieldPermissions('contacts', 'company', {});
    });

    it('reads the lists back and refuses unknown properties and principals', async () => {
      const lists = expectStatus(
        await admin.get('/api/v1/properties/contacts/salary/permissions'),
        200,
      ).body;
      expect(lists).toEqual({
        view: [{ type: 'team', id: hrTeam }],
        edit: [{ type: 'team', id: hrTeam }],
      });
      expect((await admin.get('/api/v1/properties/contacts/nosuch/permissions')).status).toBe(404);
      expect((await admin.get('/api/v1/properties/unicorns/email/permissions')).status).toBe(404);
      const put = (body: object) =>
        admin.put('/api/v1/properties/contacts/phone/permissions', { view: [], edit: [], ...body });
      expectProblem(await put({ view: [{ type: 'user', id: UNKNOWN_ID }] }), 422, {
        field: 'view[0].id',
      });
      expectProblem(await put({ edit: [{ type: 'team', id: UNKNOWN_ID }] }), 422, {
        field: 'edit[0].id',
      });
      expectProblem(await put({ view: [{ type: 'role', id: UNKNOWN_ID }] }), 422, {
        field: 'view[0].id',
      });
      expectProblem(await put({ view: [{ type: 'everyone', id: hrTeam }] }), 422, {
        field: 'view[0].id',
      });
      expect((await put({ view: [{ type: 'user' }] })).status).toBe(422);
      expect((await put({ view: [{ type: 'martians' }] })).status).toBe(422);
      expect(
        expectStatus(await admin.get('/api/v1/properties/contacts/phone/permissions'), 200).body,
      ).toEqual({ view: [], edit: [] });
    });

    it('audits changes with before and after', async () => {
      await setup.fieldPermissions('contacts', 'city', { view: [{ type: 'super_admins' }] });
      await setup.fieldPermissions('contacts', 'city', {});
      const events = await auditEvents(server, adminToken, {
        action: 'field_permission.updated',
        targetId: 'contacts.city',
      });
      expect(events.map((e) => e.metadata)).toEqual([
        { before: { view: [{ type: 'super_admins' }], edit: [] }, after: { view: [], edit: [] } },
        { before: { view: [], edit: [] }, after: { view: [{ type: 'super_admins' }], edit: [] } },
      ]);
    });

    describe('grant ceiling', () => {
      it('refuses one who may not view a property any change to who may view it', async () => {
        const manager = await setup.userWithRole({
          privileges: [READ_ACCOUNT],
          taskPrivileges: ['manage_roles'],
        });
        const path = '/api/v1/properties/contacts/salary/permissions';
        const before = expectStatus(await admin.get(path), 200).body;
        for (const body of [
          { view: [{ type: 'everyone' }], edit: [] },
          { view: [{ type: 'user', id: manager.id }], edit: [] },
          // Empty lists open the property to everyone: that grants view too.
          { view: [], edit: [] },
        ]) {
          expectProblem(await manager.caller.put(path, body), 403, {
            code: 'access.grant_ceiling',
            field: 'view',
          });
        }
        expect(expectStatus(await admin.get(path), 200).body).toEqual(before);
        const got = expectStatus(
          await manager.caller.get(`/api/v1/objects/contacts/${record.id}`),
          200,
        ).body as RecordView;
        expect(got.redacted).toContain('salary');
      });

      it('refuses one who may view but not edit a property to change who may edit it', async () => {
        const manager = await setup.userWithRole({
          privileges: [READ_ACCOUNT],
          taskPrivileges: ['manage_roles'],
        });
        const path = '/api/v1/properties/contacts/lastname/permissions';
        await setup.fieldPermissions('contacts', 'lastname', {
          view: [{ type: 'everyone' }],
          edit: [{ type: 'super_admins' }],
        });
        for (const edit of [[{ type: 'everyone' }], []]) {
          expectProblem(
            await manager.caller.put(path, { view: [{ type: 'everyone' }], edit }),
            403,
            { code: 'access.grant_ceiling', field: 'edit' },
          );
        }
        // Changing only the view list (which they hold) is fine.
        expectStatus(
          await manager.caller.put(path, {
            view: [
              { type: 'user', id: manager.id },
              { type: 'team', id: hrTeam },
            ],
            edit: [{ type: 'super_admins' }],
          }),
          200,
        );
        await setup.fieldPermissions('contacts', 'lastname', {});
      });
    });
  });

  describe('GET /api/v1/me/permissions', () => {
    it('gives packed CASL rules that createMongoAbility evaluates as the server does', async () => {
      const team = await setup.team();
      const mate = await setup.user({ teamIds: [team] });
      const stranger = await setup.user();
      const user = await setup.userWithRole(
        {
          privileges: [
            { objectType: 'contacts', action: 'read', level: 'team' },
            { objectType: 'contacts', action: 'update', level: 'own' },
          ],
          taskPrivileges: ['export'],
        },
        { teamIds: [team] },
      );
      await setup.rule({
        roleId: user.roleId,
        condition: { $or: [{ country: 'DE' }, { country: 'AT' }] },
      });
      await setup.rule({
        roleId: user.roleId,
        effect: 'deny',
        condition: { $not: { lifecyclestage: { $ne: 'customer' } } },
      });
      await setup.fieldPermissions('contacts', 'phone', { view: [{ type: 'super_admins' }] });
      try {
        const body = expectStatus(await user.caller.get('/api/v1/me/permissions'), 200).body as {
          superAdmin: boolean;
          taskPrivileges: string[];
          rules: PackRule<RawRuleOf<MongoAbility>>[];
        };
        expect(body.superAdmin).toBe(false);
        expect(body.taskPrivileges).toEqual(['export']);
        const ability = createMongoAbility(unpackRules<RawRuleOf<MongoAbility>>(body.rules));

        const cases = [
          { owner_id: mate.id, country: 'DE', lifecyclestage: 'lead' },
          { owner_id: mate.id, country: 'AT' },
          { owner_id: mate.id, country: 'FR', lifecyclestage: 'lead' },
          { owner_id: mate.id, country: 'DE', lifecyclestage: 'customer' },
          { owner_id: user.id, country: 'AT', lifecyclestage: 'lead' },
          { owner_id: stranger.id, country: 'DE', lifecyclestage: 'lead' },
        ];
        const answers: boolean[] = [];
        for (const properties of cases) {
          const contact = await setup.contact(properties);
          const fields = {
            ownerId: properties.owner_id,
            country: properties.country,
            ...(properties.lifecyclestage ? { lifecyclestage: properties.lifecyclestage } : {}),
          };
          const can = ability.can('read', subject('contacts', fields));
          const status = (await user.caller.get(`/api/v1/objects/contacts/${contact.id}`)).status;
          expect({ properties, can }).toEqual({ properties, can: status === 200 });
          answers.push(can);
          if (can) {
            expect(ability.can('read', subject('contacts', fields), 'email')).toBe(true);
            expect(ability.can('read', subject('contacts', fields), 'phone')).toBe(false);
          }
        }
        expect(answers).toEqual([true, true, false, false, true, false]);
        expect(ability.can('update', subject('contacts', { ownerId: user.id }))).toBe(true);
        expect(ability.can('update', subject('contacts', { ownerId: mate.id }))).toBe(false);
        expect(ability.can('delete', subject('contacts', { ownerId: user.id }))).toBe(false);
      } finally {
        await setup.fieldPermissions('contacts', 'phone', {});
      }
    });

    it('tells super admins and API keys what they hold', async () => {
      const mine = expectStatus(await admin.get('/api/v1/me/permissions'), 200).body;
      expect(mine.superAdmin).toBe(true);
      expect(mine.taskPrivileges).toContain('manage_roles');
      expect(
        createMongoAbility(unpackRules<RawRuleOf<MongoAbility>>(mine.rules)).can(
          'delete',
          'contacts',
        ),
      ).toBe(true);
      const key = expectStatus(
        await admin.post('/api/v1/api-keys', { name: unique('key'), scopes: ['view_audit_log'] }),
        201,
      ).body.key as string;
      const asKey = expectStatus(
        await callerOf(server, key).get('/api/v1/me/permissions'),
        200,
      ).body;
      expect(asKey).toMatchObject({ superAdmin: false, taskPrivileges: ['view_audit_log'] });
    });

    it('requires authentication', async () => {
      expect((await callerOf(server, null).get('/api/v1/me/permissions')).status).toBe(401);
    });
  });

  describe('POST /api/v1/access/explain', () => {
    const explain = async (body: object): Promise<Explanation> =>
      expectStatus(await admin.post('/api/v1/access/explain', body), 200).body as Explanation;

    it('names what decided: super admin, a role with its level, a deny rule, a field permission, no grant', async () => {
      const { mate, reader: user } = await setup.teamReader();
      const nobody = await setup.user();
      const matesRecord = await setup.contact({ owner_id: mate.id, country: 'DE' });
      const strangersRecord = await setup.contact({ country: 'DE' });
      const adminId = await personId(admin);
      const base = { action: 'read', objectType: 'contacts' };

      expect(await explain({ ...base, userId: adminId, recordId: matesRecord.id })).toMatchObject({
        allowed: true,
        decidedBy: { kind: 'super_admin' },
      });
      expect(await explain({ ...base, userId: user.id, recordId: matesRecord.id })).toMatchObject({
        allowed: true,
        decidedBy: { kind: 'role', roleId: user.roleId, level: 'team' },
      });
      expect(
        await explain({ ...base, userId: user.id, recordId: strangersRecord.id }),
      ).toMatchObject({ allowed: false, decidedBy: { kind: 'no_grant' } });
      expect(await explain({ ...base, userId: nobody.id })).toMatchObject({
        allowed: false,
        decidedBy: { kind: 'no_grant' },
      });

      const ruleId = await setup.rule({
        roleId: user.roleId,
        effect: 'deny',
        condition: { country: 'DE' },
      });
      expect(await explain({ ...base, userId: user.id, recordId: matesRecord.id })).toMatchObject({
        allowed: false,
        decidedBy: { kind: 'deny_rule', ruleId },
      });
      await setup.deleteRule(ruleId);

      await setup.fieldPermissions('contacts', 'phone', { view: [{ type: 'super_admins' }] });
      try {
        expect(
          await explain({ ...base, userId: user.id, recordId: matesRecord.id, property: 'phone' }),
        ).toMatchObject({
          allowed: false,
          decidedBy: { kind: 'field_permission', property: 'phone' },
        });
        expect(
          await explain({ ...base, userId: user.id, recordId: matesRecord.id, property: 'email' }),
        ).toMatchObject({ allowed: true, decidedBy: { kind: 'role' } });
      } finally {
        await setup.fieldPermissions('contacts', 'phone', {});
      }
    });

    it('answers 404 for unknown users and records, 422 for unknown object types', async () => {
      const user = await setup.user();
      const base = { action: 'read', objectType: 'contacts' };
      expect(
        (await admin.post('/api/v1/access/explain', { ...base, userId: UNKNOWN_ID })).status,
      ).toBe(404);
      expect(
        (
          await admin.post('/api/v1/access/explain', {
            ...base,
            userId: user.id,
            recordId: UNKNOWN_ID,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await admin.post('/api/v1/access/explain', {
            ...base,
            objectType: 'unicorns',
            userId: user.id,
          })
        ).status,
      ).toBe(422);
      expect(
        (await admin.post('/api/v1/access/explain', { ...base, action: 'fly', userId: user.id }))
          .status,
      ).toBe(422);
    });
  });

  describe('POST /api/v1/access/preview', () => {
    it('lists the holders who would gain or lose, and saves nothing', async () => {
      const team = await setup.team();
      const direct = await setup.user();
      const viaTeam = await setup.user({ teamIds: [team] });
      const alreadyWide = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const superAdmin = await setup.user({ superAdmin: true });
      const role = await setup.role({
        privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
        taskPrivileges: ['view_audit_log'],
      });
      for (const [type, id] of [
        ['user', direct.id],
        ['team', team],
        ['user', alreadyWide.id],
        ['user', superAdmin.id],
      ] as const) {
        await setup.assign(role.id, type, id);
      }
      const contact = await setup.contact();
      const before = expectStatus(await admin.get(`/api/v1/roles/${role.id}`), 200)
        .body as RoleView;

      const preview = expectStatus(
        await admin.post('/api/v1/access/preview', {
          roleId: role.id,
          privileges: [READ_ACCOUNT],
          taskPrivileges: ['export'],
        }),
        200,
      ).body as {
        users: {
          userId: string;
          gains: { privileges: string[]; taskPrivileges: string[] };
          loses: { privileges: string[]; taskPrivileges: string[] };
        }[];
      };
      const byUser = new Map(preview.users.map((u) => [u.userId, u]));
      expect([...byUser.keys()].sort()).toEqual([direct.id, viaTeam.id, alreadyWide.id].sort());
      for (const id of [direct.id, viaTeam.id]) {
        expect(byUser.get(id)).toEqual({
          userId: id,
          gains: { privileges: ['read contacts at account'], taskPrivileges: ['export'] },
          loses: { privileges: ['read contacts at own'], taskPrivileges: ['view_audit_log'] },
        });
      }
      expect(byUser.get(alreadyWide.id)).toEqual({
        userId: alreadyWide.id,
        gains: { privileges: [], taskPrivileges: ['export'] },
        loses: { privileges: [], taskPrivileges: ['view_audit_log'] },
      });

      // Nothing saved: the role, its holders' rights and the audit log are as they were.
      expect(expectStatus(await admin.get(`/api/v1/roles/${role.id}`), 200).body).toEqual(before);
      const directCaller = callerOf(server, direct.token);
      expect((await directCaller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);
      expect((await directCaller.get('/api/v1/audit-log', { limit: 1 })).status).toBe(200);
      expect(
        await auditEvents(server, adminToken, { action: 'role.updated', targetId: role.id }),
      ).toEqual([]);

      const unchanged = expectStatus(
        await admin.post('/api/v1/access/preview', { roleId: role.id }),
        200,
      ).body;
      expect(unchanged).toEqual({ users: [] });
      expect((await admin.post('/api/v1/access/preview', { roleId: UNKNOWN_ID })).status).toBe(404);
    });
  });
});
