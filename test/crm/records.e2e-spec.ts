import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from '../support/test-server';

describe.each(testDatabaseKinds())('CRM records on %s', (kind) => {
  let server: TestServer;
  let token: string;
  const api = () => ({
    get: (path: string) => server.http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body: object) =>
      server.http().post(path).auth(token, { type: 'bearer' }).send(body),
    patch: (path: string, body: object) =>
      server.http().patch(path).auth(token, { type: 'bearer' }).send(body),
    delete: (path: string) => server.http().delete(path).auth(token, { type: 'bearer' }),
  });

  beforeAll(async () => {
    server = await startTestServer(kind);
    token = await server.login();
  });

  afterAll(async () => {
    await server.close();
  });

  it('creates, reads, updates and archives a contact, keeping its history', async () => {
    const created = await api().post('/api/v1/objects/contacts', {
      properties: { email: 'ada@example.com', firstname: 'Ada', lifecyclestage: 'lead' },
    });
    expect(created.status).toBe(201);
    expect(created.body.properties).toMatchObject({
      email: 'ada@example.com',
      firstname: 'Ada',
      lifecyclestage: 'lead',
      lastname: null,
    });
    const id = created.body.id as string;
    const updated = await api().patch(`/api/v1/objects/contacts/${id}`, {
      properties: { lifecyclestage: 'customer' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.properties.lifecyclestage).toBe('customer');
    const read = await api().get(`/api/v1/objects/contacts/${id}?properties=email,lifecyclestage`);
    expect(read.body.properties).toEqual({ email: 'ada@example.com', lifecyclestage: 'customer' });
    const history = await api().get(
      `/api/v1/objects/contacts/${id}/history?property=lifecyclestage`,
    );
    expect(
      history.body.results.map((h: { oldValue: unknown; newValue: unknown }) => [
        h.oldValue,
        h.newValue,
      ]),
    ).toEqual([
      [null, 'lead'],
      ['lead', 'customer'],
    ]);
    expect((await api().delete(`/api/v1/objects/contacts/${id}`)).status).toBe(204);
    expect((await api().get(`/api/v1/objects/contacts/${id}`)).status).toBe(404);
    expect((await api().get(`/api/v1/objects/contacts/${id}?archived=true`)).body.archived).toBe(
      true,
    );
    expect((await api().post(`/api/v1/objects/contacts/${id}/restore`, {})).status).toBe(200);
  });

  it('searches with filters, a sort, pagination and a total', async () => {
    const batch = await api().post('/api/v1/objects/contacts/batch/create', {
      inputs: ['Zed', 'Amy', 'Bob', 'Cid', 'Dan'].map((name, i) => ({
        properties: { firstname: name, lastname: name, country: i % 2 ? 'DE' : 'FR' },
      })),
    });
    expect(batch.status).toBe(201);
    const search = (after?: string) =>
      api().post('/api/v1/objects/contacts/search', {
        filterGroups: [
          { filters: [{ propertyName: 'country', operator: 'in', values: ['DE', 'FR'] }] },
        ],
        sorts: [{ propertyName: 'lastname', direction: 'ASCENDING' }],
        properties: ['lastname'],
        limit: 2,
        after,
      });
    const first = await search();
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    const names: string[] = first.body.results.map(
      (r: { properties: { lastname: string } }) => r.properties.lastname,
    );
    let after = first.body.paging.next?.after as string | undefined;
    while (after) {
      const page = await search(after);
      names.push(
        ...page.body.results.map(
          (r: { properties: { lastname: string } }) => r.properties.lastname,
        ),
      );
      after = page.body.paging.next?.after;
    }
    expect(names).toEqual(['Amy', 'Bob', 'Cid', 'Dan', 'Zed']);
  });

  it('keeps unique values unique and names the property', async () => {
    await api().post('/api/v1/objects/contacts', { properties: { email: 'unique@example.com' } });
    const again = await api().post('/api/v1/objects/contacts', {
      properties: { email: 'UNIQUE@example.com' },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('properties.email');
  });

  it('refuses unknown properties and wrong types with 422 naming them', async () => {
    const unknown = await api().post('/api/v1/objects/contacts', { properties: { shoe_size: 42 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('properties.shoe_size');
    const wrong = await api().post('/api/v1/objects/contacts', {
      properties: { birthdate: 'yesterday' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({
      field: 'properties.birthdate',
      message: expect.stringContaining('YYYY-MM-DD'),
    });
    expect((await api().get('/api/v1/objects/widgets')).status).toBe(404);
  });

  it('computes calculation properties and searches custom properties', async () => {
    const created = await api().post('/api/v1/properties/deals', {
      name: 'weighted_amount',
      label: 'Weighted amount',
      type: 'calculation',
      formula: 'amount * probability / 100',
    });
    expect(created.status).toBe(201);
    const tier = await api().post('/api/v1/properties/deals', {
      name: 'tier',
      label: 'Tier',
      type: 'enumeration',
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'silver', label: 'Silver' },
      ],
    });
    expect(tier.status).toBe(201);
    const deal = await api().post('/api/v1/objects/deals', {
      properties: { dealname: 'Big', amount: 1000, probability: 30, tier: 'gold' },
    });
    expect(deal.status).toBe(201);
    expect(deal.body.properties.weighted_amount).toBe(300);
    const found = await api().post('/api/v1/objects/deals/search', {
      filterGroups: [
        {
          filters: [
            { propertyName: 'weighted_amount', operator: 'gte', value: 250 },
            { propertyName: 'tier', operator: 'eq', value: 'gold' },
          ],
        },
      ],
    });
    expect(found.body.total).toBe(1);
    const readOnly = await api().patch(`/api/v1/objects/deals/${deal.body.id}`, {
      properties: { weighted_amount: 5 },
    });
    expect(readOnly.status).toBe(422);
  });
});
