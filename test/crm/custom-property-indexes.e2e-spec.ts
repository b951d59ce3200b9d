import { captureContactQueries, queryPlan, type CapturedQuery } from '../support/query-plans';
import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem, newAccount } from '../support/api';
import { newUser } from '../support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import { callerOf, createProperty, expectStatus, uniqueName, type Caller } from './crm-support';

const CONTACTS = 3000;

interface IndexRow {
  name: string;
  sql: string;
}

/**
 * Custom properties marked `indexed` get an expression index on exactly the expression filters
 * and sorts compile to: an `eq` filter searches it and an ascending sort walks it, on both
 * databases (PostgreSQL with sequential scans disabled still has to choose it).
 */
describe.each(testDatabaseKinds())('indexed custom properties on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let adminToken: string;
  const captured: CapturedQuery[] = [];
  const tier = uniqueName('tier');
  /** The value index and its owner-scoped one (PostgreSQL: per account). */
  const perName = 2;
  const points = uniqueName('points');

  const customIndexes = async (): Promise<IndexRow[]> =>
    kind === 'sqlite'
      ? server.dataSource.query(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'crm_contact' AND name LIKE 'crm_contact_cx_%'`,
        )
      : (
          await server.dataSource.query<{ name: string; sql: string | null }[]>(
            `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS sql FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = 'crm_contact' AND c.relname LIKE 'crm_cx_%'`,
          )
        ).filter(
          // An index the job drops (concurrently) while this reads the catalog has no definition
          // any more: it is gone.
          (index): index is IndexRow => index.sql !== null,
        );

  /** Waits (PostgreSQL builds and drops in a job) until `check` holds; fails after 30 s. */
  const eventually = async (check: () => Promise<boolean>): Promise<void> => {
    for (let tries = 0; tries < 300; tries += 1) {
      if (await check()) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('condition not reached');
  };

  /** Whether the value-count triggers count `name`, and its counts: distinct values and live rows. */
  const valueCounts = async (name: string) => {
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    const [registered] = await server.dataSource.query<{ n: string | number }[]>(
      `SELECT COUNT(*) AS n FROM crm_counted_property WHERE account_id = ${p(1)} AND object_table = 'crm_contact' AND property_name = ${p(2)}`,
      [server.accountId, name],
    );
    const [counts] = await server.dataSource.query<
      { values: string | number; live: string | number | null }[]
    >(
      `SELECT COUNT(DISTINCT value) AS "values", SUM(live) AS live FROM crm_contact_custom_count WHERE account_id = ${p(1)} AND property_name = ${p(2)}`,
      [server.accountId, name],
    );
    return {
      registered: Number(registered.n),
      values: Number(counts.values),
      live: Number(counts.live ?? 0),
    };
  };

  const state = async (caller: Caller, name: string): Promise<unknown> =>
    expectStatus(await caller.get(`/api/v1/properties/contacts/${name}`), 200).body.indexState;

  const mark = async (name: string, indexed: boolean, caller = admin): Promise<void> => {
    expectStatus(await caller.patch(`/api/v1/properties/contacts/${name}`, { indexed }), 200);
    if (indexed) {
      await eventually(async () => (await state(caller, name)) === 'ready');
    }
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    await createProperty(admin, 'contacts', { name: tier, label: 'Tier', type: 'string' });
    await createProperty(admin, 'contacts', { name: points, label: 'Points', type: 'number' });
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    const now = new Date().toISOString();
    await server.dataSource.transaction(async (manager) => {
      for (let i = 0; i < CONTACTS; i += 1) {
        await manager.query(
          `INSERT INTO crm_contact (id, account_id, custom, created_at, updated_at, lastname) VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(', ')})`,
          [
            `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
            server.accountId,
            JSON.stringify({ [tier]: `tier ${i % 300}`, [points]: i % 1000 }),
            now,
            now,
            `Name ${i % 97}`,
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

  /** The plans of the queries (page, count) one search runs. */
  async function searchPlans(body: object): Promise<string[]> {
    captured.length = 0;
    expectStatus(await admin.post('/api/v1/objects/contacts/search', body), 200);
    const queries = [...captured];
    expect(queries.length).toBeGreaterThanOrEqual(2);
    const plans: string[] = [];
    for (const { query, parameters } of queries) {
      plans.push(await plan(query, parameters));
    }
    return plans;
  }

  const byTier = {
    filterGroups: [{ filters: [{ propertyName: tier, operator: 'eq', value: 'tier 7' }] }],
    limit: 50,
  };
  const byPoints = { sorts: [{ propertyName: points, direction: 'ASCENDING' }], limit: 50 };

  it('searches filtered by, and sorted by, an indexed custom property through its index', async () => {
    const before = [...(await searchPlans(byTier)), (await searchPlans(byPoints))[0]];
    // Other tests (in any order) may leave indexes on other properties; none on these two yet.
    const indexOf = async (name: string) => {
      if (kind === 'sqlite') {
        return `crm_contact_cx_${name}\\b`;
      }
      const [{ id }] = await server.dataSource.query<{ id: string }[]>(
        'SELECT id FROM crm_property WHERE account_id = $1 AND name = $2',
        [server.accountId, name],
      );
      return `crm_cx_${id.replaceAll('-', '')}`;
    };
    const ours = new RegExp(`${await indexOf(tier)}|${await indexOf(points)}`);
    for (const text of before) {
      expect(text).not.toMatch(ours);
    }
    await mark(tier, true);
    await mark(points, true);

    const plans = await searchPlans(byTier);
    // The total is a sum of the value counts from the owner index, which leads with the value and
    // holds the counts (SQLite: covering; PostgreSQL: or by the key); the page reads the index.
    const counted = plans.filter((text) => text.includes('crm_contact_custom_count'));
    const filtered = plans.filter((text) => !counted.includes(text));
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatch(
      kind === 'sqlite'
        ? /SEARCH r USING COVERING INDEX crm_contact_custom_count_owner_idx \(account_id=\? AND property_name=\? AND value=\?\)/
        : /Index (Only )?Scan using crm_contact_custom_count_(key|owner_idx)/,
    );
    expect(filtered.length).toBeGreaterThanOrEqual(1);
    const [sorted] = await searchPlans(byPoints);
    if (kind === 'sqlite') {
      for (const text of filtered) {
        expect(text).toMatch(
          new RegExp(
            `SEARCH r USING (COVERING )?INDEX crm_contact_cx_${tier}(_owner)? \\(account_id=\\? AND <expr>=\\?\\)`,
          ),
        );
      }
      expect(sorted).toMatch(new RegExp(`USING (COVERING )?INDEX crm_contact_cx_${points}`));
      expect(sorted).not.toMatch(/TEMP B-TREE/);
    } else {
      for (const text of filtered) {
        expect(text).toMatch(/(Index|Bitmap Index) Scan (using|on) crm_cx_/);
        expect(text).not.toMatch(/Seq Scan/);
      }
      expect(sorted).toMatch(/Index Scan using crm_cx_/);
      expect(sorted).not.toMatch(/Sort|Seq Scan/);
    }
    // The index answers the same as the scan did; the total from the value counts the job filled.
    const found = expectStatus(await admin.post('/api/v1/objects/contacts/search', byTier), 200);
    expect(found.body.total).toBe(CONTACTS / 300);
    expect(await valueCounts(tier)).toEqual({ registered: 1, values: 300, live: CONTACTS });
    const page = expectStatus(await admin.post('/api/v1/objects/contacts/search', byPoints), 200);
    const values = (page.body.results as { properties: Record<string, number> }[]).map(
      (r) => r.properties[points],
    );
    expect(values.slice(0, 3)).toEqual([0, 0, 0]);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('creates the index on marking, drops it on unmarking and on deletion, and shows its state', async () => {
    const name = uniqueName('lifecycle');
    const created = await createProperty(admin, 'contacts', {
      name,
      label: 'Lifecycle',
      type: 'number',
      indexed: true,
    });
    expect(created).toMatchObject({ indexed: true });
    await eventually(async () => (await state(admin, name)) === 'ready');
    const ours = async () =>
      (await customIndexes()).filter(
        (index) => index.sql.includes(`'$.${name}'`) || index.sql.includes(`'${name}'`),
      );
    if (kind === 'postgres') {
      // The cast the filter uses, and the account's live rows only; then with the owner scope.
      const value = `((((custom)::jsonb ->> '${name}'::text))::double precision)`;
      const live = `WHERE (((account_id)::text = '${server.accountId}'::text) AND (archived_at IS NULL))`;
      expect((await ours()).map((i) => i.sql.replace(/^.* USING btree /, '')).sort()).toEqual([
        `(${value}, id) ${live}`,
        `(${value}, owner_id, country, lifecyclestage, id) ${live}`,
      ]);
    } else {
      // The value index, then the value with a team or own-level reader's scope.
      expect((await ours()).map((i) => i.sql.replace(/^.* ON "crm_contact" /, ''))).toEqual([
        `("account_id", json_extract(custom, '$.${name}'), "id") WHERE "archived_at" IS NULL`,
        `("account_id", json_extract(custom, '$.${name}'), "owner_id", "country", "lifecyclestage", "id", "archived_at") WHERE "archived_at" IS NULL`,
      ]);
    }
    // Registered for the value counts (no contact holds a value yet).
    expect(await valueCounts(name)).toEqual({ registered: 1, values: 0, live: 0 });
    expectStatus(await admin.patch(`/api/v1/properties/contacts/${name}`, { indexed: false }), 200);
    expect(await state(admin, name)).toBeNull();
    await eventually(async () => (await ours()).length === 0);
    await eventually(async () => (await valueCounts(name)).registered === 0);

    await mark(name, true);
    expect(await ours()).toHaveLength(perName);
    expect((await valueCounts(name)).registered).toBe(1);
    expectStatus(await admin.delete(`/api/v1/properties/contacts/${name}`), 204);
    await eventually(async () => (await ours()).length === 0);
    await eventually(async () => (await valueCounts(name)).registered === 0);
  });

  (kind === 'postgres' ? it : it.skip)(
    'keeps statistics of an indexed text value on PostgreSQL (none for a typed one) and drops them with the last index of the name',
    async () => {
      const name = uniqueName('stats');
      const statistics = `crm_contact_cs_${name}`;
      const kept = async (statisticsName: string) =>
        (
          await server.dataSource.query<unknown[]>(
            `SELECT 1 FROM pg_statistic_ext WHERE stxname = $1`,
            [statisticsName],
          )
        ).length === 1;
      /** The planner's estimate of the contacts whose value is `value` (no index helps it). */
      const estimated = async (value: string) => {
        const [row] = await server.dataSource.query<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT 1 FROM crm_contact WHERE (custom::jsonb ->> '${name}') = '${value}'`,
        );
        return Number(/rows=(\d+)/.exec(row['QUERY PLAN'])![1]);
      };
      await createProperty(admin, 'contacts', { name, label: 'Stats', type: 'string' });
      try {
        // 30 % of the contacts hold 'common', every other one a value of its own.
        await server.dataSource.query(
          `UPDATE crm_contact SET custom = (custom::jsonb || jsonb_build_object($1::text, CASE WHEN right(id, 1) IN ('0', '1', '2') THEN 'common' ELSE 'own ' || id END))::text WHERE account_id = $2`,
          [name, server.accountId],
        );
        await server.dataSource.query('ANALYZE crm_contact');
        // Without statistics of the expression the planner takes 0.5 % of the rows.
        expect(await estimated('common')).toBeLessThan(CONTACTS * 0.05);
        await mark(name, true);
        expect(await kept(statistics)).toBe(true);
        const common = CONTACTS * 0.3;
        expect(await estimated('common')).toBeGreaterThan(common * 0.7);
        expect(await estimated('common')).toBeLessThan(common * 1.3);
        // A number's value is cast in its filter: statistics on it could fail ANALYZE on another
        // account's value, so none (the first test marked `points`).
        expect(await kept(`crm_contact_cs_${points}`)).toBe(false);
        expectStatus(
          await admin.patch(`/api/v1/properties/contacts/${name}`, { indexed: false }),
          200,
        );
        await eventually(async () => !(await kept(statistics)));
      } finally {
        await server.dataSource.query(
          `UPDATE crm_contact SET custom = (custom::jsonb - $1)::text`,
          [name],
        );
      }
    },
  );

  it('leaves one index when the same property is marked concurrently', async () => {
    const name = uniqueName('concurrent');
    await createProperty(admin, 'contacts', { name, label: 'Concurrent', type: 'string' });
    const responses = await Promise.all(
      [1, 2, 3].map(() => admin.patch(`/api/v1/properties/contacts/${name}`, { indexed: true })),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await eventually(async () => (await state(admin, name)) === 'ready');
    expect((await customIndexes()).filter((index) => index.sql.includes(name))).toHaveLength(
      perName,
    );
  });

  it('refuses to index file and sensitive properties, and to retype an indexed one (422 naming indexed)', async () => {
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: uniqueName('doc'),
        label: 'Document',
        type: 'file',
        indexed: true,
      }),
      422,
      { code: 'crm.index_not_allowed', field: 'indexed' },
    );
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    const secret = uniqueName('national_id');
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: secret,
        label: 'National ID',
        type: 'string',
        sensitivity: { access: 'everyone' },
        indexed: true,
      }),
      422,
      { code: 'crm.index_not_allowed', field: 'indexed' },
    );
    await createProperty(admin, 'contacts', {
      name: secret,
      label: 'National ID',
      type: 'string',
      sensitivity: { access: 'everyone' },
    });
    const indexesBefore = await customIndexes();
    expectProblem(
      await admin.patch(`/api/v1/properties/contacts/${secret}`, { indexed: true }),
      422,
      { code: 'crm.index_not_allowed', field: 'indexed' },
    );
    expect(await state(admin, secret)).toBeNull();

    const retyped = uniqueName('retyped');
    await createProperty(admin, 'contacts', {
      name: retyped,
      label: 'Retyped',
      type: 'number',
      indexed: true,
    });
    await eventually(async () => (await state(admin, retyped)) === 'ready');
    expectProblem(
      await admin.patch(`/api/v1/properties/contacts/${retyped}`, { type: 'string' }),
      422,
      { code: 'crm.index_not_allowed', field: 'indexed' },
    );
    expectStatus(
      await admin.patch(`/api/v1/properties/contacts/${retyped}`, {
        type: 'string',
        indexed: false,
      }),
      200,
    );
    await eventually(async () => (await customIndexes()).length === indexesBefore.length);
    expectProblem(
      await admin.patch('/api/v1/properties/contacts/lastname', { indexed: true }),
      409,
      { code: 'crm.standard_property' },
    );
  });

  it('reports a PostgreSQL build the cast cannot complete as failed, leaving no index, and builds it when marked again', async () => {
    const name = uniqueName('broken');
    await createProperty(admin, 'contacts', { name, label: 'Broken', type: 'number' });
    const id = '00000000-0000-7000-8000-ffff00000001';
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    const now = new Date().toISOString();
    // Written behind the API's back: the API never stores text in a number property.
    await server.dataSource.query(
      `INSERT INTO crm_contact (id, account_id, custom, created_at, updated_at) VALUES (${[1, 2, 3, 4, 5].map(p).join(', ')})`,
      [id, server.accountId, JSON.stringify({ [name]: 'not a number' }), now, now],
    );
    const ours = async () => (await customIndexes()).filter((index) => index.sql.includes(name));
    expectStatus(await admin.patch(`/api/v1/properties/contacts/${name}`, { indexed: true }), 200);
    if (kind === 'postgres') {
      await eventually(async () => (await state(admin, name)) === 'failed');
      expect(await ours()).toEqual([]);
      await server.dataSource.query(`UPDATE crm_contact SET custom = $1 WHERE id = $2`, [
        JSON.stringify({ [name]: 12 }),
        id,
      ]);
      expectStatus(
        await admin.patch(`/api/v1/properties/contacts/${name}`, { indexed: true }),
        200,
      );
    }
    // SQLite's json_extract reads any value: nothing to fail.
    await eventually(async () => (await state(admin, name)) === 'ready');
    expect(await ours()).toHaveLength(perName);
    await server.dataSource.query(`DELETE FROM crm_contact WHERE id = ${p(1)}`, [id]);
  });

  it('refuses a member without manage_properties (403), changing nothing', async () => {
    const name = uniqueName('guarded');
    await createProperty(admin, 'contacts', { name, label: 'Guarded', type: 'string' });
    const member = callerOf(server, (await newUser(server, adminToken)).token);
    expectProblem(
      await member.patch(`/api/v1/properties/contacts/${name}`, { indexed: true }),
      403,
    );
    expect(await state(admin, name)).toBeNull();
    expect((await customIndexes()).filter((index) => index.sql.includes(name))).toEqual([]);
  });

  it('keeps each account to its own index state when two accounts index the same name', async () => {
    const name = uniqueName('shared');
    const other = await newAccount(server, adminToken, 'Indexing peer', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const peer = callerOf(server, other.token);
    for (const caller of [admin, peer]) {
      await createProperty(caller, 'contacts', { name, label: 'Shared', type: 'string' });
      await mark(name, true, caller);
    }
    const ours = async () =>
      (await customIndexes()).filter(
        (index) => index.sql.includes(`'${name}'`) || index.sql.includes(`$.${name}'`),
      );
    // SQLite: the name's indexes, their leading account_id serving both; PostgreSQL: each its own.
    expect(await ours()).toHaveLength(kind === 'sqlite' ? perName : 2 * perName);
    await mark(name, false, peer);
    await eventually(async () => (await ours()).length === perName);
    expect(await state(admin, name)).toBe('ready');
    await mark(name, false);
    await eventually(async () => (await ours()).length === 0);
  });
});
