import { newId } from '@custos/core';
import { startTestServer, type TestServer } from '../support/test-server';
import { callerOf, type Caller } from './crm-support';
import { createRecords, expectStatus, ownContactsReader } from './crm-support';

/**
 * The maintained counts under concurrent writes (PostgreSQL; SQLite serialises its writers):
 * creates, archives, restores and owner changes of one owner's contacts as simultaneous requests
 * leave every total exact, and no request fails (no deadlock, no lost update on the hot count row).
 */
describe('maintained record counts under concurrent requests on postgres', () => {
  let server: TestServer;
  let admin: Caller;
  let owner: Caller;
  let ownerId: string;
  let adminId: string;

  beforeAll(async () => {
    server = await startTestServer('postgres');
    admin = callerOf(server, await server.login());
    adminId = (expectStatus(await admin.get('/api/v1/me'), 200).body as { user: { id: string } })
      .user.id;
    ({ id: ownerId, caller: owner } = await ownContactsReader(server, admin));
  });

  afterAll(async () => {
    await server.close();
  });

  const sqlCount = async (forOwner?: string): Promise<number> => {
    const [row] = await server.dataSource.query<{ n: string }[]>(
      `SELECT COUNT(*) AS n FROM crm_contact WHERE account_id = $1 AND archived_at IS NULL${
        forOwner ? ' AND owner_id = $2' : ''
      }`,
      forOwner ? [server.accountId, forOwner] : [server.accountId],
    );
    return Number(row.n);
  };

  const total = async (caller: Caller): Promise<number> =>
    (
      expectStatus(await caller.post('/api/v1/objects/contacts/search', { limit: 1 }), 200)
        .body as {
        total: number;
      }
    ).total;

  it('stays exact when creates, archives, restores and owner changes of one owner run at once', async () => {
    const existing = await createRecords(
      admin,
      'contacts',
      Array.from({ length: 40 }, (_, i) => ({ lastname: `Existing ${i}`, owner_id: ownerId })),
    );
    for (const record of existing.slice(30)) {
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 204);
    }
    const requests = [
      ...Array.from({ length: 30 }, (_, i) =>
        admin.post('/api/v1/objects/contacts', {
          properties: { lastname: `New ${i}`, owner_id: ownerId },
        }),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        admin.post('/api/v1/objects/contacts/batch/create', {
          inputs: [ownerId, adminId, ownerId].map((id) => ({
            properties: { lastname: `Batch ${i}`, owner_id: id },
          })),
        }),
      ),
      ...existing
        .slice(0, 20)
        .map((record) => admin.delete(`/api/v1/objects/contacts/${record.id}`)),
      ...existing
        .slice(30)
        .map((record) => admin.post(`/api/v1/objects/contacts/${record.id}/restore`)),
      // Owner changes both ways: each locks two count rows, always in key order.
      ...existing.slice(20, 30).map((record, i) =>
        admin.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { owner_id: i % 2 === 0 ? adminId : ownerId },
        }),
      ),
      ...Array.from({ length: 10 }, () => total(owner)),
    ];
    const responses = await Promise.all(requests);
    for (const response of responses) {
      if (typeof response !== 'number') {
        expect(response.status).toBeLessThan(300);
      }
    }
    // 40 − 20 archived − 5 given to the admin + 30 + 16 created: 61 of the owner.
    expect(await sqlCount(ownerId)).toBe(61);
    expect(await total(owner)).toBe(61);
    expect(await total(admin)).toBe(await sqlCount());
    const [counts] = await server.dataSource.query<{ live: string }[]>(
      `SELECT live FROM crm_record_count WHERE account_id = $1 AND object_table = 'crm_contact' AND owner_id = $2`,
      [server.accountId, ownerId],
    );
    expect(Number(counts.live)).toBe(61);
  });

  it('keeps the live counts exact when transactions write the same owner and countries at once', async () => {
    // An owner of its own: the other test counts its owner's contacts (tests run in random order).
    const owner = newId();
    const live = () =>
      server.dataSource.query<{ country: string; live: string }[]>(
        `SELECT country, live FROM crm_contact_live_count WHERE account_id = $1 AND owner_id = $2 AND business_unit_id IS NULL AND lifecyclestage IS NULL AND live <> 0 ORDER BY country`,
        [server.accountId, owner],
      );
    const counted = () =>
      server.dataSource.query<{ country: string; live: string }[]>(
        `SELECT country, COUNT(*) AS live FROM crm_contact WHERE account_id = $1 AND owner_id = $2 AND business_unit_id IS NULL AND lifecyclestage IS NULL AND archived_at IS NULL GROUP BY country ORDER BY country`,
        [server.accountId, owner],
      );
    const now = new Date().toISOString();
    /** One transaction of one statement over both countries' count rows, in either order. */
    const transaction = (i: number) =>
      server.dataSource.transaction(async (manager) => {
        const [first, second] = i % 2 === 0 ? ['DE', 'FR'] : ['FR', 'DE'];
        await manager.query(
          `INSERT INTO crm_contact (id, account_id, owner_id, custom, created_at, updated_at, country) VALUES ($1, $3, $4, '{}', $5, $5, $6), ($2, $3, $4, '{}', $5, $5, $7)`,
          [newId(), newId(), server.accountId, owner, now, first, second],
        );
        // Moves one of the owner's contacts between the countries: both count rows again.
        await manager.query(
          `UPDATE crm_contact SET country = CASE WHEN country = 'DE' THEN 'FR' ELSE 'DE' END WHERE id = (SELECT id FROM crm_contact WHERE account_id = $1 AND owner_id = $2 AND country IS NOT NULL ORDER BY id LIMIT 1 OFFSET $3)`,
          [server.accountId, owner, i],
        );
        if (i % 3 === 0) {
          await manager.query(
            `UPDATE crm_contact SET archived_at = $3 WHERE account_id = $1 AND owner_id = $2 AND country = 'DE' AND archived_at IS NULL AND id = (SELECT MAX(id) FROM crm_contact WHERE account_id = $1 AND owner_id = $2 AND country = 'DE')`,
            [server.accountId, owner, now],
          );
        }
      });
    // Rows for the updates to move, then the writers at once.
    await transaction(0);
    await Promise.all(Array.from({ length: 24 }, (_, i) => transaction(i + 1)));
    expect(await live()).toEqual(await counted());
    expect((await counted()).length).toBe(2);
  });
});
