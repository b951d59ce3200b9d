import type { DataSource } from 'typeorm';

/** A scan in a PostgreSQL plan: its node type, and the index it reads if any. */
export interface PlanScan {
  type: string;
  index?: string;
}

/**
 * The scans of `table` in PostgreSQL's plan for `sql` with `parameters` (`EXPLAIN (FORMAT JSON)`,
 * not run), in plan order: to assert that a statement reads a table through the index meant for
 * it, whatever the statistics say.
 */
export async function postgresPlanScans(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
  table: string,
): Promise<PlanScan[]> {
  const [{ 'QUERY PLAN': plan }] = await dataSource.query<
    [{ 'QUERY PLAN': { Plan: Record<string, unknown> }[] }]
  >(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
  const scans: PlanScan[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (node['Relation Name'] === table) {
      const index = node['Index Name'] as string | undefined;
      scans.push({ type: node['Node Type'] as string, ...(index ? { index } : {}) });
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) {
      walk(child);
    }
  };
  walk(plan[0].Plan);
  return scans;
}
