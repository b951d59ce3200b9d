import type { Response, Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem, newAccount } from '../support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import {
  UNKNOWN_ID,
  callerOf,
  contactEmail,
  expectStatus,
  listAll,
  Setup,
  unique,
  type Caller,
  type RecordView,
} from './access-support';

const OBJECT_TYPES = ['contacts', 'companies', 'deals'] as const;
/** A type each object type may be associated with. */
const PARTNER: Record<(typeof OBJECT_TYPES)[number], string> = {
  contacts: 'companies',
  companies: 'contacts',
  deals: 'contacts',
};

/** The identifying properties of a new record of each type. */
function propertiesOf(objectType: string): Record<string, unknown> {
  switch (objectType) {
    case 'contacts':
      return { email: contactEmail('owasp'), firstname: 'Ada' };
    case 'companies':
      return { name: unique('Acme'), domain: `${unique('acme')}.example.com` };
    default:
      return { dealname: unique('Deal'), amount: 100 };
  }
}

/** A request naming one id; the same route is also asked with an id that exists nowhere. */
interface IdRoute {
  name: string;
  request: (id: string) => Test;
}

/**
 * Asks each route with `id` and with an id that exists nowhere: both must be 404 with the same
 * problem code, so the answer tells nothing about whether `id` exists elsewhere.
 */
async function expectNoExistenceLeak(routes: IdRoute[], id: string): Promise<void> {
  for (const route of routes) {
    const foreign = await route.request(id);
    const unknown = await route.request(UNKNOWN_ID);
    expect({ route: route.name, status: foreign.status, code: foreign.body?.code }).toEqual({
      route: route.name,
      status: 404,
      code: unknown.body?.code,
    });
    expect(unknown.status).toBe(404);
  }
}

describe.each(testDatabaseKinds())('OWASP API Top 10 on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  let other: Caller;

  /** Ids of objects of another account (whose admin is the same person). */
  const foreign = {
    records: {} as Record<string, string>,
    archived: {} as Record<string, string>,
    user: '',
    team: '',
    businessUnit: '',
    role: '',
    assignment: '',
    rule: '',
    segment: '',
    apiKey: '',
    importId: '',
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    const adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    const account = await newAccount(server, adminToken, unique('Elsewhere'), {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    other = callerOf(server, account.token);
    const elsewhere = new Setup(server, account.token);
    for (const objectType of OBJECT_TYPES) {
      foreign.records[objectType] = (
        await elsewhere.record(propertiesOf(objectType), objectType)
      ).id;
      const archived = await elsewhere.record(propertiesOf(objectType), objectType);
      expectStatus(await other.delete(`/api/v1/objects/${objectType}/${archived.id}`), 204);
      foreign.archived[objectType] = archived.id;
    }
    const foreignEmail = contactEmail('foreign-user');
    const user = expectStatus(
      await other.post('/api/v1/users', {
        email: foreignEmail,
        displayName: 'Foreign',
        password: 'a long enough user password',
      }),
      201,
    ).body as { id: string };
    // Signing in accepts the invitation: only members can be given roles.
    await server.login(foreignEmail, 'a long enough user password', account.accountId);
    foreign.user = user.id;
    foreign.team = await elsewhere.team();
    await elsewhere.addToTeam(foreign.team, [foreign.user]);
    foreign.businessUnit = await elsewhere.businessUnit();
    foreign.role = (await elsewhere.role({})).id;
    foreign.assignment = await elsewhere.assign(foreign.role, 'user', foreign.user);
    foreign.rule = await elsewhere.rule({ condition: { country: 'XX' } });
    foreign.segment = (
      expectStatus(
        await other.post('/api/v1/segments', {
          name: unique('segment'),
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
        }),
        201,
      ).body as { id: string }
    ).id;
    foreign.apiKey = (
      expectStatus(await other.post('/api/v1/api-keys', { name: 'foreign', scopes: [] }), 201)
        .body as { id: string }
    ).id;
    foreign.importId = (
      expectStatus(
        await server
          .http()
          .post('/api/v1/imports')
          .auth(account.token, { type: 'bearer' })
          .field('objectType', 'contacts')
          .field('mapping', JSON.stringify({ Email: 'email' }))
          .field('mode', 'create')
          .attach('file', Buffer.from(`Email\r\n${contactEmail('imp')}\r\n`, 'utf8'), {
            filename: 'c.csv',
            contentType: 'text/csv',
          }),
        202,
      ).body as { id: string }
    ).id;
  });

  afterAll(async () => {
    await server?.close();
  });

  /** The routes of one record of `objectType` (with `partnerId`, a record it may be linked to). */
  const recordRoutes = (caller: Caller, objectType: string, partnerId: string): IdRoute[] => {
    const base = `/api/v1/objects/${objectType}`;
    const partner = PARTNER[objectType as keyof typeof PARTNER];
    return [
      { name: `${objectType} get`, request: (id) => caller.get(`${base}/${id}`) },
      {
        name: `${objectType} get archived`,
        request: (id) => caller.get(`${base}/${id}`, { archived: true }),
      },
      {
        name: `${objectType} patch`,
        request: (id) => caller.patch(`${base}/${id}`, { properties: {} }),
      },
      { name: `${objectType} delete`, request: (id) => caller.delete(`${base}/${id}`) },
      {
        name: `${objectType} purge`,
        request: (id) => caller.delete(`${base}/${id}`, { purge: true }),
      },
      { name: `${objectType} restore`, request: (id) => caller.post(`${base}/${id}/restore`) },
      { name: `${objectType} history`, request: (id) => caller.get(`${base}/${id}/history`) },
      {
        name: `${objectType} associations`,
        request: (id) => caller.get(`${base}/${id}/associations/${partner}`),
      },
      {
        name: `${objectType} associate from`,
        request: (id) => caller.put(`${base}/${id}/associations/${partner}/${partnerId}`),
      },
      {
        name: `${objectType} dissociate from`,
        request: (id) => caller.delete(`${base}/${id}/associations/${partner}/${partnerId}`),
      },
    ];
  };

  describe('BOLA: ids of another account are 404 on every id route, as if they did not exist', () => {
    it.each(OBJECT_TYPES)('records: %s', async (objectType) => {
      const partnerType = PARTNER[objectType];
      const partner = await setup.record(propertiesOf(partnerType), partnerType);
      await expectNoExistenceLeak(
        recordRoutes(admin, objectType, partner.id),
        foreign.records[objectType],
      );
      // Archived ones too (restore, purge, ?archived=true).
      await expectNoExistenceLeak(
        recordRoutes(admin, objectType, partner.id).filter((r) =>
          /archived|restore|purge/.test(r.name),
        ),
        foreign.archived[objectType],
      );
      // Linking one's own record to another account's.
      const mine = await setup.record(propertiesOf(objectType), objectType);
      const linkTo: IdRoute[] = [
        {
          name: 'associate to',
          request: (id) =>
            admin.put(`/api/v1/objects/${objectType}/${mine.id}/associations/${partnerType}/${id}`),
        },
      ];
      await expectNoExistenceLeak(linkTo, foreign.records[partnerType]);
      // Batch reads leave them out; batch updates do not find them.
      const batch = expectStatus(
        await admin.post(`/api/v1/objects/${objectType}/batch/read`, {
          ids: [mine.id, foreign.records[objectType]],
        }),
        200,
      ).body.results as RecordView[];
      expect(batch.map((r) => r.id)).toEqual([mine.id]);
      const update = await admin.post(`/api/v1/objects/${objectType}/batch/update`, {
        inputs: [
          { id: mine.id, properties: {} },
          { id: foreign.records[objectType], properties: {} },
        ],
      });
      expectProblem(update, 422, { code: 'crm.record_not_found', field: 'inputs[1].id' });
      // Still there, unchanged, in their own account.
      expectStatus(
        await other.get(`/api/v1/objects/${objectType}/${foreign.records[objectType]}`),
        200,
      );
    });

    it('users, teams and business units', async () => {
      await expectNoExistenceLeak(
        [
          { name: 'user get', request: (id) => admin.get(`/api/v1/users/${id}`) },
          {
            name: 'user patch',
            request: (id) => admin.patch(`/api/v1/users/${id}`, { status: 'deactivated' }),
          },
          { name: 'user delete', request: (id) => admin.delete(`/api/v1/users/${id}`) },
        ],
        foreign.user,
      );
      await expectNoExistenceLeak(
        [
          { name: 'team get', request: (id) => admin.get(`/api/v1/teams/${id}`) },
          {
            name: 'team patch',
            request: (id) => admin.patch(`/api/v1/teams/${id}`, { name: 'x' }),
          },
          { name: 'team delete', request: (id) => admin.delete(`/api/v1/teams/${id}`) },
          { name: 'team members', request: (id) => admin.get(`/api/v1/teams/${id}/members`) },
          {
            name: 'team add members',
            request: (id) => admin.post(`/api/v1/teams/${id}/members`, { userIds: [foreign.user] }),
          },
          {
            name: 'team remove member',
            request: (id) => admin.delete(`/api/v1/teams/${id}/members/${foreign.user}`),
          },
        ],
        foreign.team,
      );
      await expectNoExistenceLeak(
        [
          { name: 'unit get', request: (id) => admin.get(`/api/v1/business-units/${id}`) },
          {
            name: 'unit patch',
            request: (id) => admin.patch(`/api/v1/business-units/${id}`, { name: 'x' }),
          },
          { name: 'unit delete', request: (id) => admin.delete(`/api/v1/business-units/${id}`) },
        ],
        foreign.businessUnit,
      );
      // Nor can they be placed into this account's teams, units or roles.
      const team = await setup.team();
      const addForeign = await admin.post(`/api/v1/teams/${team}/members`, {
        userIds: [foreign.user],
      });
      expect(addForeign.status).toBe(422);
      const role = await setup.role({});
      for (const [principalType, principalId] of [
        ['user', foreign.user],
        ['team', foreign.team],
      ]) {
        expectProblem(
          await admin.post(`/api/v1/roles/${role.id}/assignments`, { principalType, principalId }),
          422,
          { code: 'access.unknown_principal' },
        );
      }
      // Naming another account's unit answers exactly as naming no unit at all.
      const me = await setup.user();
      for (const request of [
        (id: string) => admin.patch(`/api/v1/users/${me.id}`, { businessUnitId: id }),
        (id: string) =>
          admin.post('/api/v1/business-units', { name: unique('child'), parentId: id }),
      ]) {
        const foreignResponse = await request(foreign.businessUnit);
        const unknownResponse = await request(UNKNOWN_ID);
        expect(foreignResponse.status).toBe(422);
        expect(foreignResponse.body).toMatchObject({
          code: unknownResponse.body.code,
          errors: unknownResponse.body.errors,
        });
      }
      expectStatus(await other.get(`/api/v1/users/${foreign.user}`), 200);
    });

    it('roles, assignments, record rules, field permission principals, explain and preview', async () => {
      const mine = await setup.role({});
      await expectNoExistenceLeak(
        [
          { name: 'role get', request: (id) => admin.get(`/api/v1/roles/${id}`) },
          {
            name: 'role patch',
            request: (id) => admin.patch(`/api/v1/roles/${id}`, { name: 'x' }),
          },
          { name: 'role delete', request: (id) => admin.delete(`/api/v1/roles/${id}`) },
          {
            name: 'role assignments',
            request: (id) => admin.get(`/api/v1/roles/${id}/assignments`),
          },
          {
            name: 'role assign',
            request: (id) =>
              admin.post(`/api/v1/roles/${id}/assignments`, {
                principalType: 'user',
                principalId: foreign.user,
              }),
          },
          {
            name: 'role unassign',
            request: (id) => admin.delete(`/api/v1/roles/${id}/assignments/${foreign.assignment}`),
          },
          {
            name: 'preview',
            request: (id) => admin.post('/api/v1/access/preview', { roleId: id }),
          },
          {
            name: 'rule for role',
            request: (id) =>
              admin.post('/api/v1/record-rules', {
                name: unique('r'),
                objectType: 'contacts',
                actions: ['read'],
                effect: 'restrict',
                roleId: id,
                condition: { country: 'DE' },
              }),
          },
        ],
        foreign.role,
      );
      // Another account's assignment, through one's own role.
      await expectNoExistenceLeak(
        [
          {
            name: 'unassign via own role',
            request: (id) => admin.delete(`/api/v1/roles/${mine.id}/assignments/${id}`),
          },
        ],
        foreign.assignment,
      );
      await expectNoExistenceLeak(
        [
          { name: 'rule get', request: (id) => admin.get(`/api/v1/record-rules/${id}`) },
          {
            name: 'rule put',
            request: (id) =>
              admin.put(`/api/v1/record-rules/${id}`, {
                name: 'x',
                objectType: 'contacts',
                actions: ['read'],
                effect: 'restrict',
                condition: { country: 'DE' },
              }),
          },
          { name: 'rule delete', request: (id) => admin.delete(`/api/v1/record-rules/${id}`) },
        ],
        foreign.rule,
      );
      await expectNoExistenceLeak(
        [
          {
            name: 'explain user',
            request: (id) =>
              admin.post('/api/v1/access/explain', {
                userId: id,
                action: 'read',
                objectType: 'contacts',
              }),
          },
        ],
        foreign.user,
      );
      const user = await setup.user();
      await expectNoExistenceLeak(
        [
          {
            name: 'explain record',
            request: (id) =>
              admin.post('/api/v1/access/explain', {
                userId: user.id,
                action: 'read',
                objectType: 'contacts',
                recordId: id,
              }),
          },
        ],
        foreign.records.contacts,
      );
      for (const principal of [
        { type: 'user', id: foreign.user },
        { type: 'team', id: foreign.team },
        { type: 'role', id: foreign.role },
      ]) {
        expectProblem(
          await admin.put('/api/v1/properties/contacts/phone/permissions', {
            view: [principal],
            edit: [],
          }),
          422,
          { code: 'access.unknown_principal', field: 'view[0].id' },
        );
      }
      // The other account's rule still binds nobody here, and is still there.
      expectStatus(await other.get(`/api/v1/record-rules/${foreign.rule}`), 200);
      expectStatus(await other.get(`/api/v1/roles/${foreign.role}`), 200);
    });

    it('segments, API keys and imports', async () => {
      await expectNoExistenceLeak(
        [
          { name: 'segment get', request: (id) => admin.get(`/api/v1/segments/${id}`) },
          {
            name: 'segment patch',
            request: (id) => admin.patch(`/api/v1/segments/${id}`, { name: 'x' }),
          },
          { name: 'segment delete', request: (id) => admin.delete(`/api/v1/segments/${id}`) },
          { name: 'segment members', request: (id) => admin.get(`/api/v1/segments/${id}/members`) },
        ],
        foreign.segment,
      );
      await expectNoExistenceLeak(
        [{ name: 'api key revoke', request: (id) => admin.delete(`/api/v1/api-keys/${id}`) }],
        foreign.apiKey,
      );
      await expectNoExistenceLeak(
        [
          { name: 'import get', request: (id) => admin.get(`/api/v1/imports/${id}`) },
          { name: 'import errors', request: (id) => admin.get(`/api/v1/imports/${id}/errors`) },
          {
            name: 'import errors.csv',
            request: (id) => admin.get(`/api/v1/imports/${id}/errors.csv`),
          },
        ],
        foreign.importId,
      );
      const keys = expectStatus(await other.get('/api/v1/api-keys'), 200).body.results as {
        id: string;
        revokedAt: string | null;
      }[];
      expect(keys.find((k) => k.id === foreign.apiKey)?.revokedAt).toBeNull();
    });
  });

  describe("BOLA: records outside the actor's rules are 404, never 403", () => {
    let owner: Awaited<ReturnType<Setup['userWithRole']>>;

    beforeAll(async () => {
      owner = await setup.userWithRole({
        privileges: OBJECT_TYPES.flatMap((objectType) =>
          ['create', 'read', 'update', 'delete', 'assign'].map((action) => ({
            objectType,
            action,
            level: 'own',
          })),
        ),
      });
    });

    it.each(OBJECT_TYPES)('%s of someone else, active and archived', async (objectType) => {
      const partnerType = PARTNER[objectType];
      const myPartner = await setup.record(propertiesOf(partnerType), partnerType, owner.caller);
      const theirs = await setup.record(propertiesOf(objectType), objectType);
      await expectNoExistenceLeak(recordRoutes(owner.caller, objectType, myPartner.id), theirs.id);
      const archived = await setup.record(propertiesOf(objectType), objectType);
      expectStatus(await admin.delete(`/api/v1/objects/${objectType}/${archived.id}`), 204);
      await expectNoExistenceLeak(
        recordRoutes(owner.caller, objectType, myPartner.id).filter((r) =>
          /archived|restore|purge/.test(r.name),
        ),
        archived.id,
      );
      // Linking one's own record to someone else's.
      const mine = await setup.record(propertiesOf(objectType), objectType, owner.caller);
      const theirPartner = await setup.record(propertiesOf(partnerType), partnerType);
      await expectNoExistenceLeak(
        [
          {
            name: 'associate to',
            request: (id) =>
              owner.caller.put(
                `/api/v1/objects/${objectType}/${mine.id}/associations/${partnerType}/${id}`,
              ),
          },
        ],
        theirPartner.id,
      );
      // Nothing happened to theirs.
      const after = expectStatus(await admin.get(`/api/v1/objects/${objectType}/${theirs.id}`), 200)
        .body as RecordView;
      expect(after.properties).toEqual(theirs.properties);
      expect(after.archived).toBe(false);
    });

    it('and associations to records one may not read are not listed', async () => {
      const mine = await setup.record(propertiesOf('contacts'), 'contacts', owner.caller);
      const theirs = await setup.record(propertiesOf('companies'), 'companies');
      const own = await setup.record(propertiesOf('companies'), 'companies', owner.caller);
      for (const company of [theirs, own]) {
        expectStatus(
          await admin.put(
            `/api/v1/objects/contacts/${mine.id}/associations/companies/${company.id}`,
          ),
          204,
        );
      }
      const listed = expectStatus(
        await owner.caller.get(`/api/v1/objects/contacts/${mine.id}/associations/companies`),
        200,
      ).body;
      expect(JSON.stringify(listed)).not.toContain(theirs.id);
      expect(JSON.stringify(listed)).toContain(own.id);
    });
  });

  describe('BOPLA: mass assignment and excessive data exposure', () => {
    it.each(['ownerId', 'accountId', 'archived', 'id', 'createdAt', 'redacted'])(
      'refuses %s next to the properties (422), on create and update',
      async (field) => {
        const mine = await setup.contact();
        for (const response of [
          await admin.post('/api/v1/objects/contacts', {
            properties: { email: contactEmail() },
            [field]: field === 'archived' ? false : UNKNOWN_ID,
          }),
          await admin.patch(`/api/v1/objects/contacts/${mine.id}`, {
            properties: {},
            [field]: field === 'archived' ? true : UNKNOWN_ID,
          }),
        ]) {
          expectProblem(response, 422, { field });
        }
        const after = expectStatus(await admin.get(`/api/v1/objects/contacts/${mine.id}`), 200)
          .body as RecordView;
        expect(after).toMatchObject({ id: mine.id, archived: false });
      },
    );

    it.each([
      ['accountId', UNKNOWN_ID, 'crm.unknown_property'],
      ['account_id', UNKNOWN_ID, 'crm.unknown_property'],
      ['archived', true, 'crm.unknown_property'],
      ['archived_at', '2020-01-01T00:00:00.000Z', 'crm.unknown_property'],
      ['id', UNKNOWN_ID, 'crm.unknown_property'],
      ['ownerId', UNKNOWN_ID, 'crm.unknown_property'],
      ['business_unit_id', UNKNOWN_ID, 'crm.unknown_property'],
      ['createdate', '2020-01-01T00:00:00.000Z', 'crm.read_only_property'],
      ['lastmodifieddate', '2020-01-01T00:00:00.000Z', 'crm.read_only_property'],
    ])(
      'refuses the property %s (422 naming it), on create and update',
      async (name, value, code) => {
        const mine = await setup.contact();
        expectProblem(
          await admin.post('/api/v1/objects/contacts', {
            properties: { email: contactEmail(), [name]: value },
          }),
          422,
          { code, field: `properties.${name}` },
        );
        expectProblem(
          await admin.patch(`/api/v1/objects/contacts/${mine.id}`, {
            properties: { [name]: value },
          }),
          422,
          { code, field: `properties.${name}` },
        );
        expectProblem(
          await admin.post('/api/v1/objects/contacts/batch/update', {
            inputs: [{ id: mine.id, properties: { [name]: value } }],
          }),
          422,
          { code, field: `inputs[0].properties.${name}` },
        );
      },
    );

    it('refuses moving a record to another owner without the assign privilege (403)', async () => {
      const member = await setup.userWithRole({
        privileges: ['create', 'read', 'update'].map((action) => ({
          objectType: 'contacts',
          action,
          level: 'own',
        })),
      });
      const colleague = await setup.user();
      const mine = await setup.contact({}, member.caller);
      expectProblem(
        await member.caller.patch(`/api/v1/objects/contacts/${mine.id}`, {
          properties: { owner_id: colleague.id },
        }),
        403,
        { code: 'crm.record_forbidden' },
      );
      // Nor create one for someone else, outside one's own records.
      expectProblem(
        await member.caller.post('/api/v1/objects/contacts', {
          properties: { email: contactEmail(), owner_id: colleague.id },
        }),
        403,
        { code: 'crm.record_forbidden' },
      );
      // An owner of another account is no owner at all.
      const foreignOwner = await admin.patch(`/api/v1/objects/contacts/${mine.id}`, {
        properties: { owner_id: foreign.user },
      });
      expectProblem(foreignOwner, 422, { code: 'crm.invalid_owner' });
      const after = expectStatus(await admin.get(`/api/v1/objects/contacts/${mine.id}`), 200)
        .body as RecordView;
      expect(after.properties.owner_id).toBe(member.id);
    });

    it('refuses writing a property one may not edit (403), also in batches', async () => {
      const writer = await setup.userWithRole({
        privileges: ['create', 'read', 'update'].map((action) => ({
          objectType: 'contacts',
          action,
          level: 'account',
        })),
      });
      await setup.fieldPermissions('contacts', 'phone', { view: [{ type: 'super_admins' }] });
      try {
        const contact = await setup.contact({ phone: '+1 555 0100' });
        expectProblem(
          await writer.caller.patch(`/api/v1/objects/contacts/${contact.id}`, {
            properties: { phone: '+1 555 0199' },
          }),
          403,
          { code: 'crm.field_not_editable', field: 'properties.phone' },
        );
        expectProblem(
          await writer.caller.post('/api/v1/objects/contacts/batch/create', {
            inputs: [{ properties: { email: contactEmail(), phone: '+1' } }],
          }),
          403,
          { code: 'crm.field_not_editable', field: 'inputs[0].properties.phone' },
        );
        const after = expectStatus(await admin.get(`/api/v1/objects/contacts/${contact.id}`), 200)
          .body as RecordView;
        expect(after.properties.phone).toBe('+1 555 0100');
      } finally {
        await setup.fieldPermissions('contacts', 'phone', {});
      }
    });

    it('refuses unknown fields on every admin body (422)', async () => {
      const user = await setup.user();
      const role = await setup.role({});
      const cases: [string, Test][] = [
        ['user accountId', admin.patch(`/api/v1/users/${user.id}`, { accountId: UNKNOWN_ID })],
        ['user email', admin.patch(`/api/v1/users/${user.id}`, { email: 'x@example.com' })],
        ['user id', admin.patch(`/api/v1/users/${user.id}`, { id: UNKNOWN_ID })],
        [
          'role accountId',
          admin.post('/api/v1/roles', {
            name: unique('r'),
            privileges: [],
            taskPrivileges: [],
            accountId: UNKNOWN_ID,
          }),
        ],
        ['role id', admin.patch(`/api/v1/roles/${role.id}`, { id: UNKNOWN_ID })],
        [
          'assignment accountId',
          admin.post(`/api/v1/roles/${role.id}/assignments`, {
            principalType: 'user',
            principalId: user.id,
            accountId: UNKNOWN_ID,
          }),
        ],
        [
          'rule accountId',
          admin.post('/api/v1/record-rules', {
            name: unique('r'),
            objectType: 'contacts',
            actions: ['read'],
            effect: 'restrict',
            condition: { country: 'DE' },
            accountId: UNKNOWN_ID,
          }),
        ],
        [
          'api key creator',
          admin.post('/api/v1/api-keys', {
            name: 'k',
            scopes: [],
            createdByUserId: user.id,
          }),
        ],
        [
          'team accountId',
          admin.post('/api/v1/teams', { name: unique('t'), accountId: UNKNOWN_ID }),
        ],
        [
          'segment accountId',
          admin.post('/api/v1/segments', {
            name: unique('s'),
            objectType: 'contacts',
            filterGroups: [],
            accountId: UNKNOWN_ID,
          }),
        ],
      ];
      for (const [name, request] of cases) {
        const response: Response = await request;
        expect({ name, status: response.status }).toEqual({ name, status: 422 });
      }
      expect(
        (
          expectStatus(await admin.get(`/api/v1/roles/${role.id}/assignments`), 200).body as {
            results: unknown[];
          }
        ).results,
      ).toEqual([]);
    });

    it('refuses super-admin status from one who manages users but is not a super admin', async () => {
      const manager = await setup.userWithRole({ taskPrivileges: ['manage_users'] });
      expectProblem(
        await manager.caller.patch(`/api/v1/users/${manager.id}`, { superAdmin: true }),
        403,
        { field: 'superAdmin' },
      );
      expectProblem(
        await manager.caller.post('/api/v1/users', {
          email: contactEmail('made-admin'),
          displayName: 'Made admin',
          password: 'a long enough user password',
          superAdmin: true,
        }),
        403,
      );
      const me = expectStatus(await manager.caller.get('/api/v1/me'), 200).body;
      expect(me.superAdmin).toBe(false);
    });

    it('never returns a property the actor may not read, in any response', async () => {
      const secret = 'SECRET-PHONE-4242';
      const reader = await setup.userWithRole({
        privileges: [
          ...['create', 'read', 'update', 'delete'].map((action) => ({
            objectType: 'contacts',
            action,
            level: 'account',
          })),
          { objectType: 'companies', action: 'read', level: 'account' },
        ],
      });
      await setup.fieldPermissions('contacts', 'phone', { view: [{ type: 'super_admins' }] });
      try {
        const contact = await setup.contact({ phone: secret, firstname: 'Secretive' });
        const company = await setup.record(propertiesOf('companies'), 'companies');
        expectStatus(
          await admin.put(
            `/api/v1/objects/contacts/${contact.id}/associations/companies/${company.id}`,
          ),
          204,
        );
        expectStatus(
          await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
            properties: { phone: `${secret}-2` },
          }),
          200,
        );
        const segment = expectStatus(
          await admin.post('/api/v1/segments', {
            name: unique('secretive'),
            objectType: 'contacts',
            sharing: 'shared_read',
            filterGroups: [
              { filters: [{ propertyName: 'firstname', operator: 'eq', value: 'Secretive' }] },
            ],
          }),
          201,
        ).body as { id: string };
        const c = reader.caller;
        const byEmail = {
          filterGroups: [
            {
              filters: [{ propertyName: 'email', operator: 'eq', value: contact.properties.email }],
            },
          ],
        };
        const responses: [string, Response][] = [
          ['get', await c.get(`/api/v1/objects/contacts/${contact.id}`)],
          [
            'get selected',
            await c.get(`/api/v1/objects/contacts/${contact.id}`, { properties: 'phone' }),
          ],
          [
            'search',
            await c.post('/api/v1/objects/contacts/search', { ...byEmail, properties: ['phone'] }),
          ],
          [
            'batch read',
            await c.post('/api/v1/objects/contacts/batch/read', {
              ids: [contact.id],
              properties: ['phone', 'email'],
            }),
          ],
          [
            'history',
            await c.get(`/api/v1/objects/contacts/${contact.id}/history`, { limit: 100 }),
          ],
          [
            'patch',
            await c.patch(`/api/v1/objects/contacts/${contact.id}`, {
              properties: { jobtitle: 'Spy' },
            }),
          ],
          [
            'batch update',
            await c.post('/api/v1/objects/contacts/batch/update', {
              inputs: [{ id: contact.id, properties: { city: 'Oslo' } }],
            }),
          ],
          ['segment members', await c.get(`/api/v1/segments/${segment.id}/members`)],
          [
            'associations',
            await c.get(`/api/v1/objects/companies/${company.id}/associations/contacts`),
          ],
          ['delete', await c.delete(`/api/v1/objects/contacts/${contact.id}`)],
          [
            'get archived',
            await c.get(`/api/v1/objects/contacts/${contact.id}`, { archived: true }),
          ],
          ['restore', await c.post(`/api/v1/objects/contacts/${contact.id}/restore`)],
        ];
        responses.push(['list', { status: 200, body: await listAll(c) } as unknown as Response]);
        for (const [name, response] of responses) {
          expect({ name, status: response.status }).toEqual({
            name,
            status: name === 'delete' ? 204 : 200,
          });
          expect({ name, leaked: JSON.stringify(response.body ?? '').includes(secret) }).toEqual({
            name,
            leaked: false,
          });
        }
        const got = responses[0][1].body as RecordView;
        expect(got.redacted).toEqual(['phone']);
        // The admin still sees it.
        expect(
          (
            expectStatus(await admin.get(`/api/v1/objects/contacts/${contact.id}`), 200)
              .body as RecordView
          ).properties.phone,
        ).toBe(`${secret}-2`);
      } finally {
        await setup.fieldPermissions('contacts', 'phone', {});
      }
    });

    it('never returns password hashes, API key secrets or other accounts in directory responses', async () => {
      const member = await setup.user();
      const c = callerOf(server, member.token);
      const key = expectStatus(
        await admin.post('/api/v1/api-keys', { name: unique('k'), scopes: [] }),
        201,
      ).body as { key: string };
      const responses = [
        await c.get('/api/v1/users', { limit: 100 }),
        await c.get(`/api/v1/users/${member.id}`),
        await c.get('/api/v1/me'),
        await admin.get('/api/v1/api-keys', { limit: 100 }),
        await c.get('/api/v1/teams', { limit: 100 }),
        await c.get('/api/v1/business-units', { limit: 100 }),
      ];
      for (const response of responses) {
        expect(response.status).toBe(200);
        const text = JSON.stringify(response.body);
        expect(text).not.toMatch(/argon2|passwordHash|secretHash/i);
        expect(text).not.toContain(key.key.split('_').slice(2).join('_'));
        expect(text).not.toContain(foreign.user);
        expect(text).not.toContain(foreign.team);
        expect(text).not.toContain(foreign.businessUnit);
      }
    });
  });

  describe('BFLA: admin routes refuse plain members (403) and change nothing', () => {
    let member: Caller;
    let apiKey: Caller;
    const ids = {
      user: '',
      team: '',
      unit: '',
      role: '',
      assignment: '',
      rule: '',
      key: '',
      imp: '',
    };

    beforeAll(async () => {
      member = callerOf(server, (await setup.user()).token);
      apiKey = callerOf(
        server,
        (
          expectStatus(
            await admin.post('/api/v1/api-keys', { name: unique('k'), scopes: ['view_audit_log'] }),
            201,
          ).body as { key: string }
        ).key,
      );
      ids.user = (await setup.user()).id;
      ids.team = await setup.team();
      await setup.addToTeam(ids.team, [ids.user]);
      ids.unit = await setup.businessUnit();
      ids.role = (await setup.role({})).id;
      ids.assignment = await setup.assign(ids.role, 'user', ids.user);
      ids.rule = await setup.rule({
        condition: { country: { $exists: true } },
        actions: ['share'],
      });
      ids.key = (
        expectStatus(await admin.post('/api/v1/api-keys', { name: unique('k'), scopes: [] }), 201)
          .body as { id: string }
      ).id;
      expectStatus(
        await admin.post('/api/v1/properties/contacts', {
          name: 'bfla_score',
          label: 'BFLA',
          type: 'number',
        }),
        201,
      );
      ids.imp = (
        expectStatus(
          await server
            .http()
            .post('/api/v1/imports')
            .auth(setup.adminToken, { type: 'bearer' })
            .field('objectType', 'contacts')
            .field('mapping', JSON.stringify({ Email: 'email' }))
            .field('mode', 'create')
            .attach('file', Buffer.from(`Email\r\n${contactEmail('imp')}\r\n`, 'utf8'), {
              filename: 'c.csv',
              contentType: 'text/csv',
            }),
          202,
        ).body as { id: string }
      ).id;
    });

    /** Every admin route, with a valid body: only the missing privilege can refuse it. */
    const adminRoutes = (c: Caller): [string, () => Test][] => [
      ['list roles', () => c.get('/api/v1/roles')],
      [
        'create role',
        () => c.post('/api/v1/roles', { name: unique('r'), privileges: [], taskPrivileges: [] }),
      ],
      ['get role', () => c.get(`/api/v1/roles/${ids.role}`)],
      ['update role', () => c.patch(`/api/v1/roles/${ids.role}`, { name: unique('renamed') })],
      ['delete role', () => c.delete(`/api/v1/roles/${ids.role}`)],
      ['list assignments', () => c.get(`/api/v1/roles/${ids.role}/assignments`)],
      [
        'assign role',
        () =>
          c.post(`/api/v1/roles/${ids.role}/assignments`, {
            principalType: 'team',
            principalId: ids.team,
          }),
      ],
      ['unassign role', () => c.delete(`/api/v1/roles/${ids.role}/assignments/${ids.assignment}`)],
      ['list rules', () => c.get('/api/v1/record-rules')],
      [
        'create rule',
        () =>
          c.post('/api/v1/record-rules', {
            name: unique('r'),
            objectType: 'contacts',
            actions: ['read'],
            effect: 'deny',
            condition: { country: 'DE' },
          }),
      ],
      ['get rule', () => c.get(`/api/v1/record-rules/${ids.rule}`)],
      [
        'replace rule',
        () =>
          c.put(`/api/v1/record-rules/${ids.rule}`, {
            name: 'x',
            objectType: 'contacts',
            actions: ['read'],
            effect: 'deny',
            condition: { country: 'DE' },
          }),
      ],
      ['delete rule', () => c.delete(`/api/v1/record-rules/${ids.rule}`)],
      ['get field permissions', () => c.get('/api/v1/properties/contacts/phone/permissions')],
      [
        'set field permissions',
        () =>
          c.put('/api/v1/properties/contacts/phone/permissions', {
            view: [{ type: 'super_admins' }],
            edit: [],
          }),
      ],
      [
        'explain',
        () =>
          c.post('/api/v1/access/explain', {
            userId: ids.user,
            action: 'read',
            objectType: 'contacts',
          }),
      ],
      [
        'preview',
        () => c.post('/api/v1/access/preview', { roleId: ids.role, taskPrivileges: ['export'] }),
      ],
      [
        'create user',
        () =>
          c.post('/api/v1/users', {
            email: contactEmail('bfla'),
            displayName: 'B',
            password: 'a long enough user password',
          }),
      ],
      ['update user', () => c.patch(`/api/v1/users/${ids.user}`, { status: 'deactivated' })],
      ['delete user', () => c.delete(`/api/v1/users/${ids.user}`)],
      ['create team', () => c.post('/api/v1/teams', { name: unique('t') })],
      ['update team', () => c.patch(`/api/v1/teams/${ids.team}`, { name: unique('t') })],
      ['delete team', () => c.delete(`/api/v1/teams/${ids.team}`)],
      [
        'add team members',
        () => c.post(`/api/v1/teams/${ids.team}/members`, { userIds: [ids.user] }),
      ],
      ['remove team member', () => c.delete(`/api/v1/teams/${ids.team}/members/${ids.user}`)],
      ['create unit', () => c.post('/api/v1/business-units', { name: unique('u') })],
      ['update unit', () => c.patch(`/api/v1/business-units/${ids.unit}`, { name: unique('u') })],
      ['delete unit', () => c.delete(`/api/v1/business-units/${ids.unit}`)],
      ['list api keys', () => c.get('/api/v1/api-keys')],
      ['create api key', () => c.post('/api/v1/api-keys', { name: 'k', scopes: [] })],
      ['revoke api key', () => c.delete(`/api/v1/api-keys/${ids.key}`)],
      ['audit log', () => c.get('/api/v1/audit-log')],
      ['verify audit log', () => c.get('/api/v1/audit-log/verify')],
      [
        'create property',
        () =>
          c.post('/api/v1/properties/contacts', { name: 'bfla_other', label: 'X', type: 'string' }),
      ],
      [
        'update property',
        () => c.patch('/api/v1/properties/contacts/bfla_score', { label: 'Changed' }),
      ],
      ['delete property', () => c.delete('/api/v1/properties/contacts/bfla_score')],
      ['list imports', () => c.get('/api/v1/imports')],
      ['get import', () => c.get(`/api/v1/imports/${ids.imp}`)],
      ['import errors', () => c.get(`/api/v1/imports/${ids.imp}/errors`)],
      ['import errors.csv', () => c.get(`/api/v1/imports/${ids.imp}/errors.csv`)],
      [
        'start import',
        () =>
          c
            .upload('/api/v1/imports')
            .field('objectType', 'contacts')
            .field('mapping', JSON.stringify({ Email: 'email' }))
            .field('mode', 'create')
            .attach('file', Buffer.from(`Email\r\n${contactEmail('bfla')}\r\n`, 'utf8'), {
              filename: 'c.csv',
              contentType: 'text/csv',
            }),
      ],
      ['update account', () => c.patch('/api/v1/accounts/current', { name: unique('renamed') })],
    ];

    const snapshot = async () => ({
      role: (await admin.get(`/api/v1/roles/${ids.role}`)).body,
      assignments: (await admin.get(`/api/v1/roles/${ids.role}/assignments`)).body,
      rules: (await admin.get('/api/v1/record-rules')).body,
      phone: (await admin.get('/api/v1/properties/contacts/phone/permissions')).body,
      user: (await admin.get(`/api/v1/users/${ids.user}`)).body,
      team: (await admin.get(`/api/v1/teams/${ids.team}`)).body,
      unit: (await admin.get(`/api/v1/business-units/${ids.unit}`)).body,
      // (lastUsedAt moves when a key is used: not a change of the keys)
      keys: (
        (await admin.get('/api/v1/api-keys', { limit: 100 })).body.results as Record<
          string,
          unknown
        >[]
      ).map(({ lastUsedAt: _used, ...key }) => key),
      property: (await admin.get('/api/v1/properties/contacts/bfla_score')).body,
      account: (await admin.get('/api/v1/accounts/current')).body,
      roles: (await admin.get('/api/v1/roles', { limit: 100 })).body.results.length,
      users: (await admin.get('/api/v1/users', { limit: 100 })).body.results.length,
      imports: (await admin.get('/api/v1/imports', { limit: 100 })).body.results.length,
    });

    it('as a member without roles', async () => {
      const before = await snapshot();
      for (const [name, request] of adminRoutes(member)) {
        const response = await request();
        expect({ name, status: response.status }).toEqual({ name, status: 403 });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('as a scoped API key (only its scope works; keys never manage keys)', async () => {
      const before = await snapshot();
      for (const [name, request] of adminRoutes(apiKey)) {
        const response = await request();
        const allowed = name === 'audit log' || name === 'verify audit log';
        expect({ name, status: response.status }).toEqual({ name, status: allowed ? 200 : 403 });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('anonymously (401)', async () => {
      for (const [name, request] of adminRoutes(callerOf(server, null))) {
        const response = await request();
        expect({ name, status: response.status }).toEqual({ name, status: 401 });
      }
    });
  });
});
