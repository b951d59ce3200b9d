import { testDatabaseKinds } from '@custos/core/testing';
import { newAccount } from '../support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import {
  callerOf,
  contactEmail,
  expectStatus,
  listAll,
  personId,
  Setup,
  unique,
  type Caller,
  type RecordView,
} from './access-support';
import {
  ACTORS,
  ADMIN_ROUTES,
  DENIED_STATUSES,
  FIELDS,
  LIST_ROUTES,
  MATRIX,
  RECORD_KINDS,
  RECORD_ROUTES,
  describeExpected,
  expectedAdminCell,
  expectedFieldCell,
  expectedListCell,
  expectedRecordCell,
  type Expected,
  type MatrixActor,
  type RecordKind,
  type RecordRoute,
} from './matrix.data';

/** What a matrix record is made of: its owner (in its account) and country. */
interface RecordSpec {
  account: 'demo' | 'other';
  ownerId: string | null;
  country: string;
}

describe.each(testDatabaseKinds())('permission matrix on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let otherAccountAdmin: Caller;
  const callers = new Map<MatrixActor, Caller>();
  /** The person behind each actor (the API key's creator for the key), null for nobody. */
  const people = new Map<MatrixActor, string | null>();
  const shared = new Map<string, RecordView>();
  const specs = new Map<string, RecordSpec>();
  const lists = new Map<MatrixActor, Promise<RecordView[] | number>>();

  const specOf = (actor: MatrixActor, record: RecordKind): RecordSpec => {
    const spec = specs.get(record === 'own' ? `own:${actor}` : record);
    if (!spec) {
      throw new Error(`no record spec for ${actor}/${record}`);
    }
    return spec;
  };

  /** Creates a record as the matrix describes it (by the admin of its account). */
  const make = async (spec: RecordSpec): Promise<RecordView> => {
    const properties = {
      email: contactEmail('matrix'),
      firstname: 'Original',
      phone: '+49 30 1234567',
      country: spec.country,
      ...(spec.ownerId ? { owner_id: spec.ownerId } : {}),
    };
    const as = spec.account === 'demo' ? setup.admin : otherAccountAdmin;
    return expectStatus(await as.post('/api/v1/objects/contacts', { properties }), 201)
      .body as RecordView;
  };

  /** The shared record of a cell (read-only routes and patch). */
  const sharedRecord = (actor: MatrixActor, record: RecordKind): RecordView => {
    const found = shared.get(record === 'own' ? `own:${actor}` : record);
    if (!found) {
      throw new Error(`no shared record for ${actor}/${record}`);
    }
    return found;
  };

  /** The record as its account's admin sees it now (null when archived or gone). */
  const adminView = async (spec: RecordSpec, id: string): Promise<RecordView | null> => {
    const as = spec.account === 'demo' ? setup.admin : otherAccountAdmin;
    const response = await as.get(`/api/v1/objects/contacts/${id}`);
    return response.status === 200 ? (response.body as RecordView) : null;
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    const adminToken = await server.login();
    setup = new Setup(server, adminToken);
    const other = await newAccount(server, adminToken, unique('Other account'), {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    otherAccountAdmin = callerOf(server, other.token);

    const sales = await setup.businessUnit('Sales');
    const salesDe = await setup.businessUnit('Sales DE', sales);
    const support = await setup.businessUnit('Support');
    const north = await setup.team('North');
    const south = await setup.team('South');

    const teamLead = await setup.userWithRole(
      {
        privileges: [
          { objectType: 'contacts', action: 'read', level: 'team' },
          { objectType: 'contacts', action: 'update', level: 'team' },
        ],
      },
      { teamIds: [north], businessUnitId: sales },
    );
    const mate = await setup.user({ teamIds: [north], businessUnitId: salesDe });
    const stranger = await setup.user({ teamIds: [south], businessUnitId: sales });
    const outsider = await setup.user({ businessUnitId: support });
    const buManager = await setup.userWithRole(
      {
        privileges: [
          { objectType: 'contacts', action: 'read', level: 'business_unit_tree' },
          { objectType: 'contacts', action: 'update', level: 'business_unit_tree' },
          { objectType: 'contacts', action: 'delete', level: 'business_unit_tree' },
        ],
      },
      { businessUnitId: sales },
    );
    const restricted = await setup.userWithRole(
      {
        privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
        taskPrivileges: ['manage_users'],
      },
      { businessUnitId: support },
    );
    await setup.rule({
      roleId: restricted.roleId,
      actions: ['read', 'update', 'delete'],
      condition: { country: { $in: ['DE', 'AT'] } },
    });
    await setup.fieldPermissions('contacts', 'phone', {
      view: [
        { type: 'role', id: teamLead.roleId },
        { type: 'role', id: buManager.roleId },
      ],
    });
    const member = await setup.user({ businessUnitId: support });
    const apiKey = expectStatus(
      await setup.admin.post('/api/v1/api-keys', {
        name: 'matrix key',
        scopes: ['view_audit_log'],
      }),
      201,
    ).body as { key: string };
    const adminId = await personId(setup.admin);

    callers.set('anonymous', callerOf(server, null));
    callers.set('member', callerOf(server, member.token));
    callers.set('teamLead', teamLead.caller);
    callers.set('buManager', buManager.caller);
    callers.set('restrictedAdmin', restricted.caller);
    callers.set('superAdmin', setup.admin);
    callers.set('apiKey', callerOf(server, apiKey.key));
    people.set('anonymous', null);
    people.set('member', member.id);
    people.set('teamLead', teamLead.id);
    people.set('buManager', buManager.id);
    people.set('restrictedAdmin', restricted.id);
    people.set('superAdmin', adminId);
    people.set('apiKey', adminId);

    for (const actor of ACTORS) {
      specs.set(`own:${actor}`, { account: 'demo', ownerId: people.get(actor)!, country: 'DE' });
    }
    specs.set('teamMate', { account: 'demo', ownerId: mate.id, country: 'DE' });
    specs.set('otherTeam', { account: 'demo', ownerId: stranger.id, country: 'FR' });
    specs.set('otherBu', { account: 'demo', ownerId: outsider.id, country: 'AT' });
    specs.set('otherAccount', { account: 'other', ownerId: null, country: 'DE' });
    for (const [key, spec] of specs) {
      shared.set(key, await make(spec));
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  const expectDenied = (status: number) => {
    expect(DENIED_STATUSES).toContain(status);
  };

  const expectOutcome = (status: number, expected: Expected) => {
    if (expected.kind === 'status') {
      expect(status).toBe(expected.status);
    } else {
      expectDenied(status);
    }
  };

  /** Every record the actor may list (or the status when listing is refused), fetched once. */
  const listedBy = (actor: MatrixActor): Promise<RecordView[] | number> => {
    let pending = lists.get(actor);
    if (!pending) {
      const caller = callers.get(actor)!;
      pending = (async () => {
        const first = await caller.get('/api/v1/objects/contacts', { limit: 1 });
        return first.status === 200 ? listAll(caller) : first.status;
      })();
      lists.set(actor, pending);
    }
    return pending;
  };

  const searchFor = async (actor: MatrixActor, record: RecordView) => {
    const response = await callers.get(actor)!.post('/api/v1/objects/contacts/search', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'email', operator: 'eq', value: record.properties.email as string },
          ],
        },
      ],
      properties: ['email', 'phone', 'firstname'],
    });
    return response;
  };

  /**
   * How each record route is tried, returning its status after checking its effect (or that
   * there was none). Typed over RECORD_ROUTES: a route added to the data file needs a runner.
   */
  const recordRunners: Record<
    RecordRoute,
    (caller: Caller, actor: MatrixActor, record: RecordKind) => Promise<number>
  > = {
    async get(caller, actor, record) {
      const target = sharedRecord(actor, record);
      const response = await caller.get(`/api/v1/objects/contacts/${target.id}`);
      if (response.status === 200) {
        expect(response.body.id).toBe(target.id);
      } else {
        // A denial never echoes the record.
        expect(JSON.stringify(response.body)).not.toContain(target.properties.email as string);
      }
      return response.status;
    },
    async patch(caller, actor, record) {
      const target = sharedRecord(actor, record);
      const firstname = unique('Changed');
      const response = await caller.patch(`/api/v1/objects/contacts/${target.id}`, {
        properties: { firstname },
      });
      const after = await adminView(specOf(actor, record), target.id);
      expect(after?.properties.firstname === firstname).toBe(response.status === 200);
      return response.status;
    },
    async delete(caller, actor, record) {
      // A record of its own, so that archiving it changes no other cell.
      const spec = specOf(actor, record);
      const target = await make(spec);
      const response = await caller.delete(`/api/v1/objects/contacts/${target.id}`);
      expect((await adminView(spec, target.id))?.id).toBe(
        response.status === 204 ? undefined : target.id,
      );
      return response.status;
    },
    async restore(caller, actor, record) {
      // A record of its own, archived by its account's admin.
      const spec = specOf(actor, record);
      const target = await make(spec);
      const owner = spec.account === 'demo' ? setup.admin : otherAccountAdmin;
      expectStatus(await owner.delete(`/api/v1/objects/contacts/${target.id}`), 204);
      const response = await caller.post(`/api/v1/objects/contacts/${target.id}/restore`);
      expect((await adminView(spec, target.id))?.id).toBe(
        response.status === 200 ? target.id : undefined,
      );
      return response.status;
    },
    async history(caller, actor, record) {
      const target = sharedRecord(actor, record);
      return (await caller.get(`/api/v1/objects/contacts/${target.id}/history`)).status;
    },
  };

  describe.each(ACTORS)('%s', (actor) => {
    const caller = () => callers.get(actor)!;

    describe.each(RECORD_KINDS)('on the %s record', (record) => {
      for (const route of RECORD_ROUTES) {
        const expected = expectedRecordCell(actor, route, record);
        it(`${route} → ${describeExpected(expected)}`, async () => {
          const status = await recordRunners[route](caller(), actor, record);
          expectOutcome(status, expected);
        });
      }

      for (const route of LIST_ROUTES) {
        const expected = expectedListCell(actor, route, record);
        it(`${route} → ${describeExpected(expected)}`, async () => {
          const target = sharedRecord(actor, record);
          let found: boolean;
          if (route === 'search') {
            const response = await searchFor(actor, target);
            if (response.status === 200) {
              const ids = (response.body.results as RecordView[]).map((r) => r.id);
              found = ids.includes(target.id);
              // The total counts only what the actor may see.
              expect(response.body.total).toBe(found ? 1 : 0);
            } else {
              expectDenied(response.status);
              found = false;
            }
          } else {
            const listed = await listedBy(actor);
            if (typeof listed === 'number') {
              expectDenied(listed);
              found = false;
            } else {
              found = listed.some((r) => r.id === target.id);
            }
          }
          expect(found).toBe(expected.kind === 'visible');
        });
      }
    });

    it.each(ADMIN_ROUTES)('%s', async (route) => {
      const expected = expectedAdminCell(actor, route);
      const response =
        route === 'listUsers'
          ? await caller().get('/api/v1/users')
          : route === 'createRole'
            ? await caller().post('/api/v1/roles', {
                name: unique('matrix role'),
                privileges: [],
                taskPrivileges: [],
              })
            : await caller().get('/api/v1/audit-log', { limit: 1 });
      expectOutcome(response.status, expected);
    });

    describe.each(FIELDS)('field %s', (field) => {
      const expected = expectedFieldCell(actor, field);
      const readable = RECORD_KINDS.filter(
        (record) => MATRIX[actor].records?.get?.[record] === 200,
      );

      it(`is ${describeExpected(expected)} wherever the actor reads the record`, async () => {
        const check = (view: RecordView) => {
          if (expected.kind === 'visible') {
            expect(view.properties).toHaveProperty(field);
            expect(view.redacted).not.toContain(field);
          } else {
            expect(view.properties).not.toHaveProperty(field);
            expect(view.redacted).toContain(field);
          }
        };
        if (readable.length === 0) {
          // Nothing to read, so nothing to show: the matrix must not claim the field is visible.
          expect(expected.kind).toBe('redacted');
          return;
        }
        const listed = await listedBy(actor);
        for (const record of readable) {
          const target = sharedRecord(actor, record);
          const got = expectStatus(
            await caller().get(`/api/v1/objects/contacts/${target.id}`),
            200,
          );
          check(got.body as RecordView);
          expect(got.body.properties).toHaveProperty('email', target.properties.email);
          const searched = expectStatus(await searchFor(actor, target), 200);
          (searched.body.results as RecordView[]).forEach(check);
          if (typeof listed !== 'number') {
            listed.filter((r) => r.id === target.id).forEach(check);
          }
        }
      });
    });
  });
});
