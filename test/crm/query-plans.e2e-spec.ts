import { captureContactQueries, queryPlan, type CapturedQuery } from '../support/query-plans';
import { testDatabaseKinds } from '@custos/core/testing';
import { newUser } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { callerOf } from './crm-support';

const LEVELS = ['own', 'team', 'business_unit_tree'] as const;
const CONTACTS = 3000;

/**
 * Record rules change query plans. For each access level, the scoped search (sorted page and
 * count) the API runs must be able to use an index on the scope columns: PostgreSQL with
 * sequential scans disabled still chooses an index, SQLite's plan searches by index. The page
 * sorted by creation date and the count of a scope as wide as a team's read the live-row indexes:
 * the count from the index alone, the page by walking the creation-date index without sorting
 * (docs/query-performance.md).
 */
describe.each(testDatabaseKinds())('query plans of scoped searches on %s', (kind) => {
  let server: TestServer;
  const captured: CapturedQuery[] = [];
  let units: string[] = [];
  let owners: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind);
    const admin = callerOf(server, await server.login());
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    owners = await Promise.all(
      Array.from({ length: 6 }, async () => (await newUser(server, await server.login())).id),
    );
    for (let i = 0; i < 5; i += 1) {
      await admin.post('/api/v1/business-units', { name: `Unit ${i}` }).expect(201);
    }
    units = ((await admin.get('/api/v1/business-units')).body.results as { id: string }[]).map(
      (u) => u.id,
    );
    const start = Date.now() - CONTACTS * 1000;
    await server.dataSource.transaction(async (manager) => {
      for (let i = 0; i < CONTACTS; i += 1) {
        await manager.query(
          `INSERT INTO crm_contact (id, account_id, owner_id, business_unit_id, custom, created_at, updated_at, lastname, country) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(p).join(', ')})`,
          [
            `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
            server.accountId,
            owners[i % owners.length],
            units[i % units.length],
            '{}',
            new Date(start + i * 1000).toISOString(),
            new Date(start + i * 1000).toISOString(),
            `Name ${i % 97}`,
            i % 3 ? 'DE' : 'FR',
          ],
        );
      }
    });
    await server.dataSource.query(kind === 'postgres' ? 'ANALYZE crm_contact' : 'ANALYZE');
    captureContactQueries(server, captured);
  });

  afterAll(async () => {
    await server.close();
  });

  const plan = (query: string, parameters: unknown[]) => queryPlan(server, kind, query, parameters);

  it.each(LEVELS)('uses an index for a %s-scoped sorted page and count', async (level) => {
    const admin = callerOf(server, await server.login());
    // A member of a leaf unit: scopes are selective, as in a real account.
    const member = await newUser(server, await server.login(), {
      businessUnitId: units[units.length - 1],
    });
    const role = await admin.post('/api/v1/roles', {
      name: `Readers ${level}`,
      privileges: [{ objectType: 'contacts', action: 'read', level }],
      taskPrivileges: [],
    });
    await admin
      .post(`/api/v1/roles/${role.body.id}/assignments`, {
        principalType: 'user',
        principalId: member.id,
      })
      .expect(201);
    captured.length = 0;
    const search = await callerOf(server, member.token).post('/api/v1/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
      sorts: [{ propertyName: 'lastname', direction: 'ASCENDING' }],
      limit: 50,
    });
    expect(search.status).toBe(200);
    const queries = [...captured];
    expect(queries.length).toBeGreaterThanOrEqual(2);
    for (const { query, parameters } of queries) {
      const text = await plan(query, parameters);
      if (kind === 'sqlite') {
        expect(text).toMatch(/USING (COVERING )?INDEX crm_contact_/);
        expect(text).not.toMatch(/^SCAN r$/m);
      } else {
        expect(text).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
        expect(text).not.toMatch(/Seq Scan on crm_contact/);
      }
    }
  });

  it('walks the creation-date index for a team-scoped page sorted by it, and counts from a live-row index', async () => {
    const admin = callerOf(server, await server.login());
    const team = await admin.post('/api/v1/teams', { name: 'Plans team' }).expect(201);
    // Two of the six owners: a third of the contacts, a scope too wide to sort whole.
    await admin
      .post(`/api/v1/teams/${team.body.id}/members`, { userIds: owners.slice(0, 2) })
      .expect(200);
    const member = await newUser(server, await server.login(), { teamIds: [team.body.id] });
    const role = await admin.post('/api/v1/roles', {
      name: 'Team readers',
      privileges: [{ objectType: 'contacts', action: 'read', level: 'team' }],
      taskPrivileges: [],
    });
    await admin
      .post(`/api/v1/roles/${role.body.id}/assignments`, {
        principalType: 'user',
        principalId: member.id,
      })
      .expect(201);
    for (const caller of [admin, callerOf(server, member.token)]) {
      captured.length = 0;
      const search = await caller.post('/api/v1/objects/contacts/search', {
        sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
        limit: 50,
      });
      expect(search.status).toBe(200);
      expect(search.body.total).toBe(caller === admin ? CONTACTS : CONTACTS / 3);
      const page = captured.find((q) => /ORDER BY/.test(q.query))!;
      const count = captured.find((q) => /COUNT\(\*\)/.test(q.query))!;
      const pagePlan = await plan(page.query, page.parameters);
      const countPlan = await plan(count.query, count.parameters);
      if (kind === 'sqlite') {
        expect(pagePlan).toMatch(/USING INDEX crm_contact_live_created_idx/);
        expect(pagePlan).not.toMatch(/TEMP B-TREE/);
        expect(countPlan).toMatch(/USING COVERING INDEX crm_contact_live_/);
        expect(countPlan).not.toMatch(/^SCAN r$/m);
      } else {
        expect(pagePlan).toMatch(/Index Scan Backward using crm_contact_live_created_idx/);
        expect(pagePlan).not.toMatch(/Sort/);
        expect(countPlan).toMatch(
          /Index Only Scan using crm_contact_live_|Bitmap Index Scan on crm_contact_live_/,
        );
        expect(countPlan).not.toMatch(/Seq Scan on crm_contact/);
      }
    }
  });
});
