import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, auditHead, expectProblem, newAccount, walkPages } from '../support/api';
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
  type RecordView,
} from './crm-support';

interface SegmentView {
  id: string;
  name: string;
  objectType: string;
  filterGroups: { filters: Record<string, unknown>[] }[];
  ownerUserId: string | null;
  sharing: string;
  createdAt: string;
  updatedAt: string;
}

describe.each(testDatabaseKinds())('CRM segments and associations on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let other: Caller;

  const segmentNames = async (): Promise<string[]> =>
    (
      await walkPages<SegmentView>((after) =>
        admin.get('/api/v1/segments', { limit: 100, ...(after ? { after } : {}) }),
      )
    ).pages
      .flat()
      .map((s) => s.name);
  const customersOf = (company: string) => [
    {
      filters: [
        { propertyName: 'company', operator: 'eq', value: company },
        { propertyName: 'lifecyclestage', operator: 'eq', value: 'customer' },
      ],
    },
  ];
  const createSegment = async (caller: Caller, body: Record<string, unknown>) =>
    expectStatus(await caller.post('/api/v1/segments', body), 201).body as SegmentView;
  const memberIds = async (segmentId: string, limit = 100): Promise<string[]> =>
    (
      await walkPages<RecordView>((after) =>
        admin.get(`/api/v1/segments/${segmentId}/members`, {
          limit,
          ...(after ? { after } : {}),
        }),
      )
    ).pages
      .flat()
      .map((r) => r.id);

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    const account = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    other = callerOf(server, account.token);
  });

  afterAll(async () => {
    await server.close();
  });

  describe('segments', () => {
    it('creates, reads, lists, renames and deletes a segment, auditing each change', async () => {
      const name = uniqueName('German customers');
      const filterGroups = customersOf('Segment Co');
      const created = await admin.post('/api/v1/segments', {
        name,
        objectType: 'contacts',
        filterGroups,
      });
      expect(created.status).toBe(201);
      const segment = created.body as SegmentView;
      expect(segment).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name,
        objectType: 'contacts',
        filterGroups,
        ownerUserId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sharing: 'private',
        createdAt: expect.any(String),
        updatedAt: segment.createdAt,
      });
      expect((await admin.get(`/api/v1/segments/${segment.id}`)).body).toEqual(segment);
      expect(await segmentNames()).toContain(name);

      const renamed = await admin.patch(`/api/v1/segments/${segment.id}`, { name: `${name} (2)` });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id: segment.id, name: `${name} (2)`, filterGroups });
      const refiltered = await admin.patch(`/api/v1/segments/${segment.id}`, {
        filterGroups: customersOf('Other Co'),
      });
      expect(refiltered.body).toMatchObject({
        name: `${name} (2)`,
        filterGroups: customersOf('Other Co'),
      });
      expect((await admin.get(`/api/v1/segments/${segment.id}`)).body).toEqual(refiltered.body);

      expectStatus(await admin.delete(`/api/v1/segments/${segment.id}`), 204);
      expectProblem(await admin.get(`/api/v1/segments/${segment.id}`), 404, {
        code: 'crm.segment_not_found',
      });
      expectProblem(await admin.get(`/api/v1/segments/${segment.id}/members`), 404);
      expectProblem(await admin.delete(`/api/v1/segments/${segment.id}`), 404);
      expect(await segmentNames()).not.toContain(`${name} (2)`);

      const events = await auditEvents(server, adminToken, { targetId: segment.id });
      expect(events.map((e) => e.action)).toEqual([
        'segment.deleted',
        'segment.updated',
        'segment.updated',
        'segment.created',
      ]);
      expect(events[3].metadata).toEqual({
        after: { name, objectType: 'contacts', filterGroups, sharing: 'private' },
      });
      expect(events[2].metadata).toEqual({
        before: { name, filterGroups, sharing: 'private' },
        after: { name: `${name} (2)`, filterGroups, sharing: 'private' },
      });
    });

    it('lists segments page by page without duplicates or omissions', async () => {
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        created.push(
          (
            await createSegment(admin, {
              name: uniqueName(`Paged ${i}`),
              objectType: 'deals',
              filterGroups: [],
            })
          ).id,
        );
      }
      const { pages } = await walkPages<SegmentView>((after) =>
        admin.get('/api/v1/segments', { limit: 2, ...(after ? { after } : {}) }),
      );
      const ids = pages.flat().map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(created));
      expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
      expectProblem(await admin.get('/api/v1/segments', { after: 'forged' }), 422, {
        field: 'after',
      });
      expectProblem(await admin.get('/api/v1/segments', { limit: 101 }), 422, { field: 'limit' });
    });

    it('evaluates members live: changes to records change membership', async () => {
      const company = uniqueName('Live Co');
      const [a, b, c] = await createRecords(admin, 'contacts', [
        { company, lifecyclestage: 'customer', lastname: 'A' },
        { company, lifecyclestage: 'lead', lastname: 'B' },
        { company, lifecyclestage: 'customer', lastname: 'C' },
      ]);
      await createRecord(admin, 'contacts', {
        company: `${company} else`,
        lifecyclestage: 'customer',
      });
      const segment = await createSegment(admin, {
        name: uniqueName('Live'),
        objectType: 'contacts',
        filterGroups: customersOf(company),
      });
      expect(await memberIds(segment.id)).toEqual([a.id, c.id].sort());

      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${b.id}`, {
          properties: { lifecyclestage: 'customer' },
        }),
        200,
      );
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${a.id}`, {
          properties: { lifecyclestage: 'evangelist' },
        }),
        200,
      );
      expect(await memberIds(segment.id)).toEqual([b.id, c.id].sort());

      expectStatus(await admin.delete(`/api/v1/objects/contacts/${c.id}`), 204);
      expect(await memberIds(segment.id)).toEqual([b.id]);
      expectStatus(await admin.post(`/api/v1/objects/contacts/${c.id}/restore`), 200);
      expect(await memberIds(segment.id)).toEqual([b.id, c.id].sort());

      const d = await createRecord(admin, 'contacts', { company, lifecyclestage: 'customer' });
      expect(await memberIds(segment.id)).toEqual([b.id, c.id, d.id].sort());

      // Changing the filters changes the members too.
      expectStatus(
        await admin.patch(`/api/v1/segments/${segment.id}`, {
          filterGroups: [
            { filters: [{ propertyName: 'company', operator: 'eq', value: company }] },
          ],
        }),
        200,
      );
      expect(await memberIds(segment.id)).toEqual([a.id, b.id, c.id, d.id].sort());
    });

    it('pages members with a total, in id order, with the records as the API shows them', async () => {
      const company = uniqueName('Paged Co');
      const created = await createRecords(
        admin,
        'contacts',
        Array.from({ length: 7 }, (_, i) => ({
          company,
          lifecyclestage: i % 3 === 0 ? 'lead' : 'customer',
          firstname: `M${i}`,
        })),
      );
      const expected = created
        .filter((r) => r.properties.lifecyclestage === 'customer')
        .map((r) => r.id)
        .sort();
      const segment = await createSegment(admin, {
        name: uniqueName('Paged members'),
        objectType: 'contacts',
        filterGroups: customersOf(company),
      });
      const first = await admin.get(`/api/v1/segments/${segment.id}/members`, { limit: 2 });
      expect(first.status).toBe(200);
      expect(first.body.total).toBe(4);
      expect(first.body.results).toHaveLength(2);
      expect(first.body.results[0]).toEqual(
        (await admin.get(`/api/v1/objects/contacts/${expected[0]}`)).body,
      );
      expect(first.body.paging.next.after).toEqual(expect.any(String));
      expect(await memberIds(segment.id, 2)).toEqual(expected);
      expect(await memberIds(segment.id, 3)).toEqual(expected);
      expectProblem(
        await admin.get(`/api/v1/segments/${segment.id}/members`, { after: 'forged' }),
        422,
        { code: 'core.invalid_cursor', field: 'after' },
      );
      expectProblem(await admin.get(`/api/v1/segments/${segment.id}/members`, { limit: 0 }), 422, {
        field: 'limit',
      });
    });

    it('segments companies and deals with OR-ed groups', async () => {
      const tag = uniqueName('Seg deals');
      const [small, , big] = await createRecords(admin, 'deals', [
        { dealname: tag, amount: 10 },
        { dealname: tag, amount: 500 },
        { dealname: tag, amount: 10_000, dealstage: 'closedwon' },
      ]);
      const segment = await createSegment(admin, {
        name: uniqueName('Deal edges'),
        objectType: 'deals',
        filterGroups: [
          {
            filters: [
              { propertyName: 'dealname', operator: 'eq', value: tag },
              { propertyName: 'amount', operator: 'lt', value: 100 },
            ],
          },
          {
            filters: [
              { propertyName: 'dealname', operator: 'eq', value: tag },
              { propertyName: 'dealstage', operator: 'eq', value: 'closedwon' },
            ],
          },
        ],
      });
      expect(await memberIds(segment.id)).toEqual([small.id, big.id].sort());
      const [company] = await createRecords(admin, 'companies', [{ name: tag, industry: 'Ships' }]);
      const companies = await createSegment(admin, {
        name: uniqueName('Ship companies'),
        objectType: 'companies',
        filterGroups: [{ filters: [{ propertyName: 'name', operator: 'eq', value: tag }] }],
      });
      expect(await memberIds(companies.id)).toEqual([company.id]);
    });

    it('lets an empty filter list select every record of the object type', async () => {
      const segment = await createSegment(admin, {
        name: uniqueName('Everyone'),
        objectType: 'companies',
        filterGroups: [],
      });
      const all = await admin.post('/api/v1/objects/companies/search', { limit: 1 });
      expect(
        (await admin.get(`/api/v1/segments/${segment.id}/members`, { limit: 1 })).body.total,
      ).toBe(all.body.total);
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      [
        'an unknown property',
        { filterGroups: [{ filters: [{ propertyName: 'shoe_size', operator: 'eq', value: 1 }] }] },
        'crm.unknown_property',
        'filterGroups[0].filters[0].propertyName',
      ],
      [
        'an operator its type does not have',
        {
          filterGroups: [
            { filters: [{ propertyName: 'email', operator: 'has_property' }] },
            { filters: [{ propertyName: 'lifecyclestage', operator: 'gt', value: 'lead' }] },
          ],
        },
        'crm.invalid_operator',
        'filterGroups[1].filters[0].operator',
      ],
      [
        'a value of the wrong type',
        {
          filterGroups: [
            { filters: [{ propertyName: 'birthdate', operator: 'eq', value: 'soon' }] },
          ],
        },
        'crm.invalid_value',
        'filterGroups[0].filters[0].value',
      ],
      [
        'a missing value',
        { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'eq' }] }] },
        'crm.filter_value_required',
        'filterGroups[0].filters[0].value',
      ],
      [
        'an unknown operator',
        { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'like', value: 'x' }] }] },
        'core.validation_failed',
        'filterGroups[0].filters[0].operator',
      ],
      ['an unknown object type', { objectType: 'widgets' }, 'core.validation_failed', 'objectType'],
      ['no filter groups', { filterGroups: undefined }, 'core.validation_failed', 'filterGroups'],
      ['an empty name', { name: '' }, 'core.validation_failed', 'name'],
      ['a mass-assigned id', { id: UNKNOWN_ID }, 'core.validation_failed', 'id'],
      ['a mass-assigned account', { accountId: UNKNOWN_ID }, 'core.validation_failed', 'accountId'],
    ])(
      'refuses %s with 422 naming the field at save, writing nothing',
      async (_case, body, code, field) => {
        const name = uniqueName('Refused');
        const head = await auditHead(server, adminToken);
        const response = await admin.post('/api/v1/segments', {
          name,
          objectType: 'contacts',
          filterGroups: [],
          ...body,
        });
        expectProblem(response, 422, { code, field });
        expect(await auditHead(server, adminToken)).toBe(head);
        expect(await segmentNames()).not.toContain(body.name ?? name);
      },
    );

    it('refuses invalid filters on update with 422, leaving the segment as it was', async () => {
      const segment = await createSegment(admin, {
        name: uniqueName('Stable'),
        objectType: 'deals',
        filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'gt', value: 1 }] }],
      });
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.patch(`/api/v1/segments/${segment.id}`, {
          name: 'Renamed too',
          filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'gt', value: 'one' }] }],
        }),
        422,
        { code: 'crm.invalid_value', field: 'filterGroups[0].filters[0].value' },
      );
      expectProblem(
        await admin.patch(`/api/v1/segments/${segment.id}`, { objectType: 'contacts' }),
        422,
        { field: 'objectType' },
      );
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await admin.get(`/api/v1/segments/${segment.id}`)).body).toEqual(segment);
    });

    it('checks filters against custom properties of the object type', async () => {
      const name = uniqueName('region');
      await createProperty(admin, 'deals', { name, label: 'Region', type: 'string' });
      const [eu] = await createRecords(admin, 'deals', [{ [name]: 'EU' }, { [name]: 'US' }]);
      const segment = await createSegment(admin, {
        name: uniqueName('EU deals'),
        objectType: 'deals',
        filterGroups: [{ filters: [{ propertyName: name, operator: 'eq', value: 'EU' }] }],
      });
      expect(await memberIds(segment.id)).toEqual([eu.id]);
      expectProblem(
        await admin.post('/api/v1/segments', {
          name: uniqueName('Wrong type'),
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: name, operator: 'eq', value: 'EU' }] }],
        }),
        422,
        { code: 'crm.unknown_property', field: 'filterGroups[0].filters[0].propertyName' },
      );
    });

    it('refuses a duplicate name with 409 naming name, on create and on rename', async () => {
      const name = uniqueName('Taken');
      await createSegment(admin, { name, objectType: 'contacts', filterGroups: [] });
      const second = await createSegment(admin, {
        name: uniqueName('Second'),
        objectType: 'contacts',
        filterGroups: [],
      });
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.post('/api/v1/segments', { name, objectType: 'deals', filterGroups: [] }),
        409,
        { code: 'crm.duplicate_segment', field: 'name' },
      );
      expectProblem(await admin.patch(`/api/v1/segments/${second.id}`, { name }), 409, {
        code: 'crm.duplicate_segment',
        field: 'name',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await admin.get(`/api/v1/segments/${second.id}`)).body.name).toBe(second.name);
      // Names are per account.
      await createSegment(other, { name, objectType: 'contacts', filterGroups: [] });
    });

    it("answers another account's segment with 404 everywhere and never lists it", async () => {
      const theirs = await createSegment(other, {
        name: uniqueName('Theirs'),
        objectType: 'contacts',
        filterGroups: [],
      });
      const path = `/api/v1/segments/${theirs.id}`;
      expectProblem(await admin.get(path), 404, { code: 'crm.segment_not_found' });
      expectProblem(await admin.get(`${path}/members`), 404);
      expectProblem(await admin.patch(path, { name: 'Hijacked' }), 404);
      expectProblem(await admin.delete(path), 404);
      expect(await segmentNames()).not.toContain(theirs.name);
      expect((await other.get(path)).body.name).toBe(theirs.name);
    });

    it("never shows the other account's records as members", async () => {
      const company = uniqueName('Shared name Co');
      await createRecord(other, 'contacts', { company, lifecyclestage: 'customer' });
      const ours = await createRecord(admin, 'contacts', { company, lifecyclestage: 'customer' });
      const segment = await createSegment(admin, {
        name: uniqueName('Ours only'),
        objectType: 'contacts',
        filterGroups: customersOf(company),
      });
      expect(await memberIds(segment.id)).toEqual([ours.id]);
    });

    it('answers malformed and unknown ids with 422 and 404', async () => {
      expectProblem(await admin.get('/api/v1/segments/not-a-uuid'), 422, { field: 'segmentId' });
      expectProblem(await admin.get(`/api/v1/segments/${UNKNOWN_ID}`), 404);
      expectProblem(await admin.patch(`/api/v1/segments/${UNKNOWN_ID}`, { name: 'x' }), 404);
    });
  });

  describe('associations', () => {
    let contact: RecordView;
    let company: RecordView;
    let deal: RecordView;

    const associated = async (from: string, id: string, to: string) =>
      expectStatus(await admin.get(`/api/v1/objects/${from}/${id}/associations/${to}`), 200).body
        .results as string[];

    beforeEach(async () => {
      contact = await createRecord(admin, 'contacts', { firstname: 'Assoc' });
      company = await createRecord(admin, 'companies', { name: 'Assoc Co' });
      deal = await createRecord(admin, 'deals', { dealname: 'Assoc deal' });
    });

    it.each([
      ['contacts', 'companies'],
      ['companies', 'contacts'],
      ['deals', 'contacts'],
      ['contacts', 'deals'],
      ['deals', 'companies'],
      ['companies', 'deals'],
    ])('associates %s with %s, readable from both sides', async (from, to) => {
      const records: Record<string, RecordView> = {
        contacts: contact,
        companies: company,
        deals: deal,
      };
      const path = `/api/v1/objects/${from}/${records[from].id}/associations/${to}/${records[to].id}`;
      expectStatus(await admin.put(path), 204);
      expect(await associated(from, records[from].id, to)).toEqual([records[to].id]);
      expect(await associated(to, records[to].id, from)).toEqual([records[from].id]);
      const [event] = await auditEvents(server, adminToken, {
        action: 'record.associated',
        targetId: records[from].id,
      });
      expect(event).toMatchObject({
        targetType: from,
        metadata: { toType: to, toId: records[to].id },
      });
    });

    it('is idempotent: a second PUT, from either side, keeps one association and one audit event', async () => {
      const path = `/api/v1/objects/contacts/${contact.id}/associations/companies/${company.id}`;
      expectStatus(await admin.put(path), 204);
      const head = await auditHead(server, adminToken);
      expectStatus(await admin.put(path), 204);
      expectStatus(
        await admin.put(
          `/api/v1/objects/companies/${company.id}/associations/contacts/${contact.id}`,
        ),
        204,
      );
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await associated('contacts', contact.id, 'companies')).toEqual([company.id]);
      expect(await associated('companies', company.id, 'contacts')).toEqual([contact.id]);
    });

    it('concurrent PUTs of the same pair make one association', async () => {
      const path = `/api/v1/objects/deals/${deal.id}/associations/contacts/${contact.id}`;
      const responses = await Promise.all(Array.from({ length: 8 }, () => admin.put(path)));
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(204));
      expect(await associated('contacts', contact.id, 'deals')).toEqual([deal.id]);
    });

    it('lists several associated records in id order', async () => {
      const others = await createRecords(admin, 'companies', [
        { name: 'X' },
        { name: 'Y' },
        { name: 'Z' },
      ]);
      for (const other of [...others].reverse()) {
        expectStatus(
          await admin.put(
            `/api/v1/objects/contacts/${contact.id}/associations/companies/${other.id}`,
          ),
          204,
        );
      }
      expect(await associated('contacts', contact.id, 'companies')).toEqual(
        others.map((o) => o.id).sort(),
      );
      expect(await associated('contacts', contact.id, 'deals')).toEqual([]);
    });

    it('removes an association from either side, then answers 404 for it', async () => {
      expectStatus(
        await admin.put(`/api/v1/objects/deals/${deal.id}/associations/companies/${company.id}`),
        204,
      );
      expectStatus(
        await admin.delete(`/api/v1/objects/companies/${company.id}/associations/deals/${deal.id}`),
        204,
      );
      expect(await associated('deals', deal.id, 'companies')).toEqual([]);
      expectProblem(
        await admin.delete(`/api/v1/objects/deals/${deal.id}/associations/companies/${company.id}`),
        404,
        { code: 'crm.association_not_found' },
      );
      const [event] = await auditEvents(server, adminToken, {
        action: 'record.dissociated',
        targetId: company.id,
      });
      expect(event).toMatchObject({
        targetType: 'companies',
        metadata: { toType: 'deals', toId: deal.id },
      });
    });

    it.each([
      ['companies', 'companies'],
      ['contacts', 'contacts'],
      ['deals', 'deals'],
    ])('refuses %s ↔ %s with 422 naming toObjectType', async (from, to) => {
      const records: Record<string, RecordView> = {
        contacts: contact,
        companies: company,
        deals: deal,
      };
      const second = await createRecord(admin, to, {});
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.put(
          `/api/v1/objects/${from}/${records[from].id}/associations/${to}/${second.id}`,
        ),
        422,
        { code: 'crm.association_not_allowed', field: 'toObjectType' },
      );
      expectProblem(
        await admin.get(`/api/v1/objects/${from}/${records[from].id}/associations/${to}`),
        422,
        {
          field: 'toObjectType',
        },
      );
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('answers unknown, archived or malformed records and unknown object types', async () => {
      const base = `/api/v1/objects/contacts/${contact.id}/associations`;
      expectProblem(await admin.put(`${base}/companies/${UNKNOWN_ID}`), 404, {
        code: 'crm.record_not_found',
      });
      expectProblem(
        await admin.put(
          `/api/v1/objects/contacts/${UNKNOWN_ID}/associations/companies/${company.id}`,
        ),
        404,
        { code: 'crm.record_not_found' },
      );
      expectProblem(
        await admin.get(`/api/v1/objects/contacts/${UNKNOWN_ID}/associations/companies`),
        404,
      );
      expectProblem(await admin.put(`${base}/companies/not-a-uuid`), 422, { field: 'toRecordId' });
      expectProblem(
        await admin.get('/api/v1/objects/contacts/not-a-uuid/associations/companies'),
        422,
        {
          field: 'recordId',
        },
      );
      expectProblem(await admin.put(`${base}/widgets/${company.id}`), 404, {
        code: 'crm.unknown_object_type',
      });
      expectProblem(
        await admin.get(`/api/v1/objects/widgets/${contact.id}/associations/companies`),
        404,
        {
          code: 'crm.unknown_object_type',
        },
      );
      // A deal id is not a company id.
      expectProblem(await admin.put(`${base}/companies/${deal.id}`), 404);
      expectStatus(await admin.delete(`/api/v1/objects/companies/${company.id}`), 204);
      expectProblem(await admin.put(`${base}/companies/${company.id}`), 404);
    });

    it('hides associations of archived records until they are restored; purge removes them', async () => {
      expectStatus(
        await admin.put(`/api/v1/objects/contacts/${contact.id}/associations/deals/${deal.id}`),
        204,
      );
      expectStatus(
        await admin.put(`/api/v1/objects/companies/${company.id}/associations/deals/${deal.id}`),
        204,
      );
      expectStatus(await admin.delete(`/api/v1/objects/deals/${deal.id}`), 204);
      expect(await associated('contacts', contact.id, 'deals')).toEqual([]);
      expectStatus(await admin.post(`/api/v1/objects/deals/${deal.id}/restore`), 200);
      expect(await associated('contacts', contact.id, 'deals')).toEqual([deal.id]);
      expectStatus(await admin.delete(`/api/v1/objects/deals/${deal.id}`, { purge: true }), 204);
      expect(await associated('contacts', contact.id, 'deals')).toEqual([]);
      expect(await associated('companies', company.id, 'deals')).toEqual([]);
      // A new deal is not linked by the old association.
      const fresh = await createRecord(admin, 'deals', { dealname: 'Fresh' });
      expect(await associated('deals', fresh.id, 'contacts')).toEqual([]);
    });
  });
});
