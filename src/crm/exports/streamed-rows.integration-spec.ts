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

describe('streamedRows on SQLite', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: database.url.slice('sqlite:'.length),
    }).initialize();
    // Row ids in the opposite order of ids: reading by row ids must still give id order.
    await dataSource.query('CREATE TABLE t (id TEXT NOT NULL UNIQUE, team TEXT NOT NULL)');
    for (let n = 9; n >= 0; n--) {
      await dataSource.query('INSERT INTO t (id, team) VALUES (?, ?)', [
        `id-${n}`,
        n % 3 ? 'b' : 'a',
      ]);
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const ids = async (...args: Parameters<typeof streamedRows>) => {
    const read: unknown[] = [];
    for await (const batch of streamedRows(...args)) {
      read.push(...batch.map((row) => row[0]));
    }
    return read;
  };
  const everyRow = () =>
    dataSource.createQueryBuilder().select('r.id').from('t', 'r').orderBy('r.id');
  // The row ids of team `a` only, unlike `everyRow`: which rows come back shows what was read.
  const teamA = () =>
    dataSource.createQueryBuilder().select('r.rowid').from('t', 'r').where('r.team = :team', {
      team: 'a',
    });

  it('reads fewer row ids than the bound by those row ids, sorted by id', async () => {
    const read = await ids(everyRow(), new AbortController().signal, {
      rowIds: { query: teamA(), fewerThan: 5 },
    });
    expect(read).toEqual(['id-0', 'id-3', 'id-6', 'id-9']);
  });

  it('walks the query itself once the row ids reach the bound', async () => {
    const read = await ids(everyRow(), new AbortController().signal, {
      rowIds: { query: teamA(), fewerThan: 4 },
    });
    expect(read).toEqual(Array.from({ length: 10 }, (_, n) => `id-${n}`));
  });

  it('leaves no table behind in the database', async () => {
    await ids(everyRow(), new AbortController().signal, {
      rowIds: { query: teamA(), fewerThan: 5 },
    });
    const tables = await dataSource.query<{ name: string }[]>(
      "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    expect(tables.map((table) => table.name)).toEqual(['t']);
  });
});
