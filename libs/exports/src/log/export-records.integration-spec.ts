import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import type { ExportRow } from '../export-source';
import { createExportsTestApp, type ExportsTestApp } from '../testing/export-test-app';
import { ExportRecords, FORGET_BATCH } from './export-records';

const record = (n: number) => `record-${String(n).padStart(6, '0')}`;
const rows = (from: number, count: number): ExportRow[] =>
  Array.from({ length: count }, (_, i) => [record(from + i)]);

describe.each(testDatabaseKinds())(`${ExportRecords.name} on %s`, (kind) => {
  let app: ExportsTestApp;
  let sut: ExportRecords;
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  beforeAll(async () => {
    app = await createExportsTestApp(kind);
    sut = app.module.get(ExportRecords);
  });

  afterAll(async () => {
    await app?.close();
  });

  const notes = async (accountId: string, exportId: string): Promise<string[]> =>
    (
      await app.dataSource.query<{ record_id: string }[]>(
        `SELECT record_id FROM custos_export_record WHERE account_id = ${p(1)} AND export_id = ${p(2)} ORDER BY record_id`,
        [accountId, exportId],
      )
    ).map((row) => row.record_id);

  /** The statements `work` sends, as TypeORM logs them. */
  const statementsOf = async (
    work: () => Promise<void>,
  ): Promise<{ sql: string; parameters: unknown[] }[]> => {
    const logger = app.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    const sent: { sql: string; parameters: unknown[] }[] = [];
    logger.logQuery = (sql, parameters, runner) => {
      sent.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] });
      logQuery(sql, parameters, runner);
    };
    try {
      await work();
    } finally {
      logger.logQuery = logQuery;
    }
    return sent;
  };

  const planOf = async (sql: string, parameters: unknown[]): Promise<string> => {
    const plan = await app.dataSource.query<Record<string, string>[]>(
      `${kind === 'postgres' ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${sql}`,
      parameters,
    );
    return plan.map((row) => row['QUERY PLAN'] ?? row.detail).join('\n');
  };

  it("forgets exactly a discarded export's notes, through the index by export", async () => {
    const accountId = newId();
    const otherAccountId = newId();
    const discarded = newId();
    const kept = newId();
    // More notes than a statement deletes, some of records another export of the account also
    // carried, and the same export id noted under another account (which forget must not reach).
    const forgotten = FORGET_BATCH + 5;
    await sut.note(accountId, discarded, rows(0, forgotten), 0);
    await sut.note(accountId, kept, rows(forgotten - 100, 20_000), 0);
    await sut.note(otherAccountId, discarded, rows(0, 10), 0);
    await app.dataSource.query(kind === 'postgres' ? 'ANALYZE custos_export_record' : 'ANALYZE');

    const sent = await statementsOf(() => sut.forget(accountId, discarded));

    await expect(notes(accountId, discarded)).resolves.toEqual([]);
    await expect(notes(accountId, kept)).resolves.toEqual(
      rows(forgotten - 100, 20_000).map(([id]) => id),
    );
    await expect(notes(otherAccountId, discarded)).resolves.toHaveLength(10);
    const deletes = sent.filter(({ sql }) => /^DELETE/.test(sql));
    // SQLite deletes in batches (the write lock is held a batch at a time), PostgreSQL at once.
    expect(deletes).toHaveLength(kind === 'sqlite' ? 2 : 1);
    // Each statement finds the export's notes through the index by export and deletes them by
    // key: it never reads the notes of the account's other exports.
    for (const { sql, parameters } of deletes) {
      const plan = await planOf(sql, parameters);
      expect(plan).toContain('custos_export_record_export_idx');
      if (kind === 'sqlite') {
        expect(plan).toMatch(
          /SEARCH custos_export_record USING COVERING INDEX custos_export_record_export_idx \(export_id=\? AND account_id=\?\)/,
        );
        expect(plan).toMatch(
          /SEARCH custos_export_record USING PRIMARY KEY \(account_id=\? AND record_id=\? AND export_id=\?\)/,
        );
        expect(plan).not.toMatch(/\bSCAN\b/);
      } else {
        expect(plan).not.toMatch(/Seq Scan/);
      }
    }
  });
});
