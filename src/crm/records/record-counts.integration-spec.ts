import fc from 'fast-check';
import { CustosError, newId, TransactionHost, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { PropertySchemaService } from '../properties';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { CrmAccessService } from './crm-access.service';
import { RecordArchive } from './record-archive.service';
import { RecordQuery } from './record-query';
import { RecordWriter } from './record-writer.service';

/** A write to the contacts, with indexes into the records and owners of the run. */
type Step =
  | { kind: 'create'; owners: number[] }
  | { kind: 'archive' | 'restore' | 'purge'; record: number }
  | { kind: 'owner'; record: number; owner: number }
  | { kind: 'archiveOwned' | 'reassign'; owner: number; to: number };

/** Each record table with the columns its live counts are grouped by besides account, owner and unit. */
const LIVE_COUNTED = [
  { table: 'crm_contact', carried: ['country', 'lifecyclestage'] },
  { table: 'crm_company', carried: ['country', 'industry'] },
  { table: 'crm_deal', carried: ['dealstage', 'pipeline'] },
] as const;

/** Values of a key column: NULL and two others (owners, units and carried values alike). */
const keyValue = fc.constantFrom(null, 'a', 'b');
const rowIndexes = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });
const sqlSteps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      rows: fc.array(
        fc.record({
          key: fc.array(keyValue, { minLength: 4, maxLength: 4 }),
          archived: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    fc.record({
      kind: fc.constant('set' as const),
      rows: rowIndexes,
      column: fc.nat(3),
      value: keyValue,
    }),
    fc.record({
      kind: fc.constantFrom(
        'archive' as const,
        'restore' as const,
        'delete' as const,
        'rename' as const,
      ),
      rows: rowIndexes,
    }),
  ),
  { minLength: 1, maxLength: 10 },
);

const steps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('create' as const),
      owners: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constantFrom('archive' as const, 'restore' as const, 'purge' as const),
      record: fc.nat(),
    }),
    fc.record({ kind: fc.constant('owner' as const), record: fc.nat(), owner: fc.nat(4) }),
    fc.record({
      kind: fc.constantFrom('archiveOwned' as const, 'reassign' as const),
      owner: fc.nat(4),
      to: fc.nat(4),
    }),
  ),
  { minLength: 1, maxLength: 8 },
);

/**
 * The maintained counts (`crm_record_count`, kept by triggers) against `COUNT(*)` of the same
 * rules: after any sequence of writes — through the services, and bulk SQL statements as erasure,
 * retention and imports write — every actor's unfiltered total is the count of what their pages show.
 */
describe.each(testDatabaseKinds())('maintained record counts on %s', (kind) => {
  let crm: CrmTestApp;
  let actors: Actor[];
  /** Owners a record may get: nobody, the admin and the members. */
  let owners: (string | null)[];
  const records: string[] = [];

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    const own = await crm.member([{ action: 'read', level: 'own' }]);
    const team = await crm.member([{ action: 'read', level: 'team' }]);
    const unit = await crm.member([{ action: 'read', level: 'business_unit' }]);
    actors = [crm.admin, own, team, unit];
    owners = [null, crm.admin.userId!, own.userId!, team.userId!, unit.userId!];
  });

  afterAll(async () => {
    await crm.close();
  });

  /** The maintained total and the `COUNT(*)` of the same scope (a no-op condition turns counts off). */
  const totals = (actor: Actor) =>
    crm.as(actor, async () => {
      const schema = await crm.app.get(PropertySchemaService).schema('contacts');
      const access = await crm.app.get(CrmAccessService).forSchema(schema);
      const query = crm.app.get(RecordQuery);
      const scope = query.scope(schema, access);
      expect(scope.counted).toBeDefined();
      return {
        maintained: await query.count(scope),
        counted: await query.count(scope.and({ sql: '1 = 1', parameters: {} })),
      };
    });

  const apply = async (step: Step): Promise<void> => {
    const writer = crm.app.get(RecordWriter);
    const archive = crm.app.get(RecordArchive);
    const at = (index: number) => records[index % records.length];
    await crm.as(crm.admin, async () => {
      switch (step.kind) {
        case 'create': {
          const inputs = step.owners.map((owner) =>
            owners[owner] ? { firstname: 'P', owner_id: owners[owner] } : { firstname: 'P' },
          );
          const { records: created } = await writer.createMany(
            'contacts',
            inputs,
            'batch',
            (i) => `inputs[${i}]`,
          );
          records.push(...created.map((record) => record.id));
          return;
        }
        case 'archive':
        case 'purge':
          if (records.length > 0) {
            await archive
              .remove('contacts', at(step.record), step.kind === 'purge')
              .catch(notFound);
          }
          return;
        case 'restore':
          if (records.length > 0) {
            await archive.restore('contacts', at(step.record)).catch(notFound);
          }
          return;
        case 'owner':
          if (records.length > 0) {
            await writer
              .update('contacts', at(step.record), { owner_id: owners[step.owner] })
              .catch(notFound);
          }
          return;
        case 'archiveOwned':
        case 'reassign': {
          // One statement over many rows of several count keys, as bulk writers issue them.
          const owner = owners[step.kind === 'archiveOwned' ? step.owner : step.to];
          const transactions = crm.app.get(TransactionHost);
          const sql =
            step.kind === 'archiveOwned'
              ? `UPDATE crm_contact SET archived_at = updated_at WHERE account_id = :accountId AND ${
                  owner ? 'owner_id = :owner' : 'owner_id IS NULL'
                } AND archived_at IS NULL`
              : `UPDATE crm_contact SET owner_id = :owner, business_unit_id = NULL WHERE account_id = :accountId AND owner_id <> :owner`;
          if (owner || step.kind === 'archiveOwned') {
            await transactions.run(() =>
              transactions.queryNamed(sql, { accountId: crm.accountId, owner }),
            );
          }
          return;
        }
      }
    });
  };

  it('equals COUNT(*) under the same rules after any writes, for every actor', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        for (const step of sequence) {
          await apply(step);
        }
        for (const actor of actors) {
          const { maintained, counted } = await totals(actor);
          expect(maintained).toBe(counted);
        }
        await expectLiveCountsExact('crm_contact', crm.accountId);
      }),
      { numRuns: 12 },
    );
  });

  /**
   * Whether `table`'s live counts of `accountId` are the `GROUP BY` of its live rows: one row per
   * key (NULLs compared as values), none negative, the non-zero ones equal to the groups.
   */
  const expectLiveCountsExact = async (table: string, accountId: string): Promise<void> => {
    const { carried } = LIVE_COUNTED.find((counted) => counted.table === table)!;
    const key = ['owner_id', 'business_unit_id', ...carried].join(', ');
    const p = kind === 'postgres' ? '$1' : '?';
    const rows = (sql: string) =>
      crm.dataSource
        .query<Record<string, unknown>[]>(sql, [accountId])
        .then((found) =>
          found.map((row) => JSON.stringify({ ...row, live: Number(row.live) })).sort(),
        );
    const counts = await rows(
      `SELECT ${key}, live FROM ${table}_live_count WHERE account_id = ${p}`,
    );
    expect(new Set(counts.map((row) => JSON.stringify({ ...JSON.parse(row), live: 0 }))).size).toBe(
      counts.length,
    );
    expect(counts.filter((row) => (JSON.parse(row) as { live: number }).live < 0)).toEqual([]);
    expect(counts.filter((row) => (JSON.parse(row) as { live: number }).live !== 0)).toEqual(
      await rows(
        `SELECT ${key}, COUNT(*) AS live FROM ${table} WHERE account_id = ${p} AND archived_at IS NULL GROUP BY ${key}`,
      ),
    );
  };

  it.each(LIVE_COUNTED.map(({ table }) => table))(
    "keeps %s's live counts the GROUP BY of its live rows through any statements",
    async (table) => {
      const { carried } = LIVE_COUNTED.find((counted) => counted.table === table)!;
      const columns = ['owner_id', 'business_unit_id', ...carried];
      const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
      await fc.assert(
        fc.asyncProperty(sqlSteps, async (sequence) => {
          // An account of its own per run: the counts start empty.
          const accountId = newId();
          const ids: string[] = [];
          const at = (indexes: number[]) => [...new Set(indexes.map((i) => ids[i % ids.length]))];
          for (const step of sequence) {
            if (step.kind !== 'insert' && ids.length === 0) {
              continue;
            }
            const now = new Date().toISOString();
            switch (step.kind) {
              case 'insert': {
                const values = step.rows.flatMap(({ key, archived }) => {
                  const id = newId();
                  ids.push(id);
                  return [id, accountId, '{}', now, now, archived ? now : null, ...key];
                });
                await crm.dataSource.query(
                  `INSERT INTO ${table} (id, account_id, custom, created_at, updated_at, archived_at, ${columns.join(', ')}) VALUES ${step.rows
                    .map(
                      (_, i) =>
                        `(${Array.from({ length: 10 }, (__, j) => p(i * 10 + j + 1)).join(', ')})`,
                    )
                    .join(', ')}`,
                  values,
                );
                break;
              }
              default: {
                const rows = at(step.rows);
                const where = `id IN (${rows.map((_, i) => p(i + 2)).join(', ')})`;
                const statement = {
                  set: `UPDATE ${table} SET ${step.kind === 'set' ? columns[step.column] : ''} = ${p(1)} WHERE ${where}`,
                  archive: `UPDATE ${table} SET archived_at = ${p(1)} WHERE ${where}`,
                  restore: `UPDATE ${table} SET archived_at = NULL, updated_at = ${p(1)} WHERE ${where}`,
                  delete: `DELETE FROM ${table} WHERE updated_at <> ${p(1)} AND ${where}`,
                  // A column no count is grouped by: nothing to change.
                  rename: `UPDATE ${table} SET updated_at = ${p(1)} WHERE ${where}`,
                }[step.kind];
                await crm.dataSource.query(statement, [
                  step.kind === 'set' ? step.value : now,
                  ...rows,
                ]);
              }
            }
          }
          await expectLiveCountsExact(table, accountId);
        }),
        { numRuns: 15 },
      );
    },
  );

  it('leaves the counts to COUNT(*) when a rule tests more than owner and unit', async () => {
    const nobody = await crm.member([]);
    await crm.as(nobody, async () => {
      const schema = await crm.app.get(PropertySchemaService).schema('contacts');
      const access = await crm.app.get(CrmAccessService).forSchema(schema);
      const query = crm.app.get(RecordQuery);
      expect(query.scope(schema, access).counted).toBeUndefined();
      expect(await query.count(query.scope(schema, access))).toBe(0);
    });
    await crm.as(crm.admin, async () => {
      const schema = await crm.app.get(PropertySchemaService).schema('contacts');
      const access = await crm.app.get(CrmAccessService).forSchema(schema);
      const query = crm.app.get(RecordQuery);
      expect(query.scope(schema, access, { archived: true }).counted).toBeUndefined();
      expect(query.scope(schema, access, { action: 'export' }).counted).toBeUndefined();
    });
  });
});

/** A step on a record in a state it does not apply to (restoring a live one, a purged one): skipped. */
function notFound(error: unknown): void {
  if (!(error instanceof CustosError) || error.kind !== 'not_found') {
    throw error;
  }
}
