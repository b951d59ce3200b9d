import type { Logger, QueryRunner } from 'typeorm';
import type { DatabaseKind } from '@custos/core/testing';
import type { TestServer } from './test-server';

export interface CapturedQuery {
  query: string;
  parameters: unknown[];
}

/** From now on, collects into `captured` each query the server runs on `crm_contact r`, and reads of the maintained counts (both kinds). */
export function captureContactQueries(server: TestServer, captured: CapturedQuery[]): void {
  const capture: Logger = {
    logQuery: (query: string, parameters?: unknown[]) => {
      if (
        !query.startsWith('EXPLAIN') &&
        /FROM ("?crm_contact"? "?r"?|"crm_record_count"|"crm_contact_(live|custom)_count" "r")/.test(
          query,
        )
      ) {
        captured.push({ query, parameters: parameters ?? [] });
      }
    },
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  Object.assign(server.dataSource, { logger: capture });
  Object.assign(server.dataSource.driver, {
    options: { ...server.dataSource.driver.options, logging: true },
  });
  Object.assign(server.dataSource.options, { logging: true });
}

/**
 * The plan of a query as text. PostgreSQL plans with sequential scans disabled: a plan that
 * still scans has no index to use.
 */
export async function queryPlan(
  server: TestServer,
  kind: DatabaseKind,
  query: string,
  parameters: unknown[],
): Promise<string> {
  if (kind === 'sqlite') {
    const rows: { detail: string }[] = await server.dataSource.query(
      `EXPLAIN QUERY PLAN ${query}`,
      parameters,
    );
    return rows.map((r) => r.detail).join('\n');
  }
  const runner: QueryRunner = server.dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL enable_seqscan = off');
    const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN ${query}`, parameters);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}
