import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@custos/core/testing';
import { streamedRows } from './streamed-rows';

describe('streamedRows on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('plans its cursor for every row, as COPY does, not for the first tenth', async () => {
    const query = dataSource
      .createQueryBuilder()
      .select("current_setting('cursor_tuple_fraction')", 'fraction')
      .fromDummy();
    const batches: unknown[][][] = [];
    for await (const batch of streamedRows(query, new AbortController().signal)) {
      batches.push(batch);
    }
    expect(batches).toEqual([[['1']]]);
    // Only the export's transaction: the connection goes back to the pool as it was.
    const [{ fraction }] = await dataSource.query(
      "SELECT current_setting('cursor_tuple_fraction') AS fraction",
    );
    expect(fraction).toBe('0.1');
  });
});
