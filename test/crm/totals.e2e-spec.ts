import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  callerOf,
  createRecords,
  expectStatus,
  ownContactsReader,
  type Caller,
} from './crm-support';

/** Exact up to 5 matches: the 8 live contacts are above it, the 3 of one country below. */
const EXACT_UP_TO = 5;

/**
 * Totals of lists and searches: exact by default, an estimate only when asked and above the
 * threshold (flagged), none when asked; always under the same rules as the page.
 */
describe.each(testDatabaseKinds())('record totals on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let reader: Caller;

  beforeAll(async () => {
    server = await startTestServer(kind, {
      env: { CUSTOS_EXACT_TOTAL_UP_TO: String(EXACT_UP_TO) },
    });
    admin = callerOf(server, await server.login());
    const user = await ownContactsReader(server, admin);
    reader = user.caller;
    const created = await createRecords(admin, 'contacts', [
      ...Array.from({ length: 6 }, (_, i) => ({ lastname: `De ${i}`, country: 'DE' })),
      ...Array.from({ length: 3 }, (_, i) => ({
        lastname: `Fr ${i}`,
        country: 'FR',
        owner_id: user.id,
      })),
    ]);
    // Archived records are in no total.
    expectStatus(await admin.delete(`/api/v1/objects/contacts/${created[0].id}`), 204);
    // PostgreSQL's estimate comes from the statistics, as autovacuum would keep them.
    await server.dataSource.query(kind === 'postgres' ? 'ANALYZE crm_contact' : 'ANALYZE');
  });

  afterAll(async () => {
    await server.close();
  });

  const search = (caller: Caller, body: object) =>
    caller.post('/api/v1/objects/contacts/search', { limit: 2, ...body });
  const french = [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'FR' }] }];

  it('counts exactly by default', async () => {
    const response = expectStatus(await search(admin, {}), 200);
    expect(response.body).toMatchObject({ total: 8 });
    expect(response.body).not.toHaveProperty('estimated');
    expect(response.body.results).toHaveLength(2);
  });

  it('counts exactly when an estimate is asked for but few match', async () => {
    const response = expectStatus(
      await search(admin, { filterGroups: french, total: 'estimate' }),
      200,
    );
    expect(response.body.total).toBe(3);
    expect(response.body).not.toHaveProperty('estimated');
  });

  it('flags an estimate above the threshold', async () => {
    const response = expectStatus(await search(admin, { total: 'estimate' }), 200);
    expect(response.body.estimated).toBe(true);
    // The count stops one past the threshold, a lower bound (never the planner's table-wide
    // estimate, which would count rows outside the reader's account and rules).
    expect(response.body).toMatchObject({ total: EXACT_UP_TO + 1, lowerBound: true });
  });

  it('leaves the total out only when asked to', async () => {
    const response = expectStatus(await search(admin, { total: 'none' }), 200);
    expect(response.body).not.toHaveProperty('total');
    expect(response.body).not.toHaveProperty('estimated');
    expect(response.body.results).toHaveLength(2);
    expect(response.body.paging.next.after).toEqual(expect.any(String));
  });

  it.each(['exact', 'estimate'])('applies the record rules to a %s total', async (total) => {
    const response = expectStatus(await search(reader, { total }), 200);
    expect(response.body.total).toBe(3);
    expect(response.body).not.toHaveProperty('estimated');
  });

  it('gives a list its total when asked', async () => {
    const plain = expectStatus(await admin.get('/api/v1/objects/contacts', { limit: 2 }), 200);
    expect(plain.body).not.toHaveProperty('total');
    const exact = expectStatus(
      await admin.get('/api/v1/objects/contacts', { limit: 2, total: 'exact' }),
      200,
    );
    expect(exact.body.total).toBe(8);
    const estimated = expectStatus(
      await admin.get('/api/v1/objects/contacts', { limit: 2, total: 'estimate' }),
      200,
    );
    expect(estimated.body.estimated).toBe(true);
    const own = expectStatus(
      await reader.get('/api/v1/objects/contacts', { limit: 2, total: 'exact' }),
      200,
    );
    expect(own.body.total).toBe(3);
    const archived = expectStatus(
      await admin.get('/api/v1/objects/contacts', { archived: 'true', total: 'exact' }),
      200,
    );
    expect(archived.body.total).toBe(1);
  });

  it('refuses an unknown total mode, naming the field', async () => {
    expectProblem(await search(admin, { total: 'approximately' }), 422, { field: 'total' });
    expectProblem(await admin.get('/api/v1/objects/contacts', { total: 'all' }), 422, {
      field: 'total',
    });
  });

  // Attack: the maintained counts are per owner; a reader whose role narrows their own records
  // with a rule on anything else must get the count of what their pages show, not the owner's.
  it('counts what a reader with a rule beyond the owner may see, as their pages show it', async () => {
    const user = await ownContactsReader(server, admin, { lastname: 'Fr 0' });
    const theirs = await createRecords(admin, 'contacts', [
      { lastname: 'Fr 0', owner_id: user.id },
      { lastname: 'Fr 1', owner_id: user.id },
      { lastname: 'Fr 2', owner_id: user.id },
    ]);
    const narrowed = user.caller;
    const found = expectStatus(await search(narrowed, { limit: 10 }), 200);
    expect(found.body.results).toHaveLength(1);
    expect(found.body.total).toBe(1);
    const listed = expectStatus(
      await narrowed.get('/api/v1/objects/contacts', { limit: 10, total: 'exact' }),
      200,
    );
    expect(listed.body.total).toBe(1);
    // The other tests count the account's contacts.
    for (const record of theirs) {
      expectStatus(
        await admin.delete(`/api/v1/objects/contacts/${record.id}`, { purge: 'true' }),
        204,
      );
    }
  });
});
