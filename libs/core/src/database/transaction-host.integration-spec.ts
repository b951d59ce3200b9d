import { Test } from '@nestjs/testing';
import { Connection } from 'pg';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryColumn, QueryFailedError } from 'typeorm';
import { CoreModule } from '../core.module';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing/test-database';
import { TransactionHost } from './transaction-host';

@Entity('core_test_counter')
class Counter {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  id!: string;

  @Column({ type: 'integer' })
  value!: number;
}

/** Counts the Describe messages `pg` sends (PostgreSQL only). */
function postgresDescribeSpy(kind: string): jest.SpyInstance | undefined {
  if (kind !== 'postgres') {
    return undefined;
  }
  return jest.spyOn(Connection.prototype, 'describe');
}

describe.each(testDatabaseKinds())(`${TransactionHost.name} on %s`, (kind) => {
  let database: TestDatabase;
  let sut: TransactionHost;
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: [Counter],
          synchronize: true,
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    sut = app.get(TransactionHost);
    dataSource = app.get(DataSource);
    close = async () => {
      await app.close();
      await database.drop();
    };
  });

  afterAll(async () => close());

  beforeEach(async () => {
    await dataSource.getRepository(Counter).clear();
    await dataSource.getRepository(Counter).insert({ id: 'c', value: 0 });
  });

  it('runs independent queries together on the pool, and one at a time in a transaction', async () => {
    const events: string[] = [];
    const query = (name: string) => async () => {
      events.push(`${name} start`);
      const rows = await sut.manager.query<unknown[]>('SELECT 1 AS one');
      events.push(`${name} end`);
      return rows.length;
    };
    await expect(sut.all(query('a'), query('b'))).resolves.toEqual([1, 1]);
    expect(events.slice(0, 2)).toEqual(['a start', 'b start']);
    events.length = 0;
    await expect(sut.run(() => sut.all(query('a'), query('b')))).resolves.toEqual([1, 1]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
  });

  it('rolls back every write of a failed unit of work, including writes of nested runs', async () => {
    await expect(
      sut.run(async (manager) => {
        await manager.update(Counter, { id: 'c' }, { value: 1 });
        await sut.run(async (inner) => inner.insert(Counter, { id: 'd', value: 1 }));
        throw new Error('half-way failure');
      }),
    ).rejects.toThrow('half-way failure');
    await expect(dataSource.getRepository(Counter).find()).resolves.toEqual([
      { id: 'c', value: 0 },
    ]);
  });

  it('calls afterCommit callbacks once the outer transaction committed, never after a rollback', async () => {
    const seen: string[] = [];
    await sut.run(async (manager) => {
      await sut.run(async () => {
        sut.afterCommit(() => seen.push(`nested sees ${kind}`));
      });
      await manager.update(Counter, { id: 'c' }, { value: 1 });
      sut.afterCommit(() => seen.push('outer'));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([`nested sees ${kind}`, 'outer']);
    await expect(
      sut.run(async () => {
        sut.afterCommit(() => seen.push('rolled back'));
        throw new Error('fails');
      }),
    ).rejects.toThrow('fails');
    sut.afterCommit(() => seen.push('no transaction: at once'));
    expect(seen).toEqual([`nested sees ${kind}`, 'outer', 'no transaction: at once']);
  });

  it('joins the open transaction from code that only knows the host', async () => {
    await sut.run(async () => {
      await sut.manager.update(Counter, { id: 'c' }, { value: 5 });
      expect(sut.inTransaction).toBe(true);
    });
    expect(sut.inTransaction).toBe(false);
    await expect(
      dataSource.getRepository(Counter).findOneByOrFail({ id: 'c' }),
    ).resolves.toMatchObject({ value: 5 });
  });

  it('runs concurrent read-modify-write transactions without losing updates or failing', async () => {
    const increment = () =>
      sut.run(async (manager) => {
        const query = manager.createQueryBuilder(Counter, 'c').where('c.id = :id', { id: 'c' });
        if (kind === 'postgres') {
          query.setLock('pessimistic_write');
        }
        const counter = await query.getOneOrFail();
        await manager.update(Counter, { id: 'c' }, { value: counter.value + 1 });
      });
    await Promise.all(Array.from({ length: 40 }, increment));
    await expect(
      dataSource.getRepository(Counter).findOneByOrFail({ id: 'c' }),
    ).resolves.toMatchObject({ value: 40 });
  });

  describe('queryPrepared', () => {
    const sql = 'SELECT id, value FROM core_test_counter WHERE id = $2 OR value = $1 ORDER BY id';

    it('binds numbered parameters, reused and out of order, on every run', async () => {
      await dataSource.getRepository(Counter).insert({ id: 'd', value: 7 });
      for (const [parameters, ids] of [
        [
          [7, 'c'],
          ['c', 'd'],
        ],
        [[0, 'x'], ['c']],
        [[9, 'x'], []],
      ] as const) {
        const rows = await sut.queryPrepared<{ id: string }>('core_test_counter_by', sql, [
          ...parameters,
        ]);
        expect(rows.map((r) => r.id)).toEqual(ids);
      }
    });

    it('joins the open transaction', async () => {
      await sut.run(async (manager) => {
        await manager.update(Counter, { id: 'c' }, { value: 3 });
        const rows = await sut.queryPrepared<{ id: string; value: number }>(
          'core_test_counter_by',
          sql,
          [3, 'x'],
        );
        expect(rows).toEqual([{ id: 'c', value: 3 }]);
      });
    });

    it('reads typed values and NULLs on every run, asking a connection for the columns once', async () => {
      const describe = postgresDescribeSpy(kind);
      const set = 'UPDATE core_test_counter SET value = $2 WHERE id = $1';
      const typed = `SELECT value, value + 1 AS next, value > 0 AS positive, NULL AS missing,
        CAST(id AS text) AS label FROM core_test_counter WHERE id = $1`;
      const expected = (value: number) => ({
        value,
        next: value + 1,
        positive: kind === 'postgres' ? value > 0 : Number(value > 0),
        missing: null,
        label: 'c',
      });
      // One transaction: one connection.
      await sut.run(async () => {
        describe?.mockClear();
        for (const value of [0, 4, 9]) {
          await sut.queryPrepared('core_test_counter_set', set, ['c', value]);
          expect(await sut.queryPrepared('core_test_counter_typed', typed, ['c'])).toEqual([
            expected(value),
          ]);
        }
        // The first run of each statement on the connection only.
        expect(describe?.mock.calls.length ?? 2).toBe(2);
      });
      describe?.mockRestore();
      // On the pool, two at once: two connections, each with its own parse.
      expect(
        await sut.all(
          () => sut.queryPrepared('core_test_counter_typed', typed, ['c']),
          () => sut.queryPrepared('core_test_counter_typed', typed, ['c']),
        ),
      ).toEqual([[expected(9)], [expected(9)]]);
    });

    it('runs statements without rows, and reports driver errors as TypeORM does', async () => {
      const bump = 'UPDATE core_test_counter SET value = value + 1 WHERE id = $1';
      for (let i = 0; i < 3; i++) {
        const rows = await sut.queryPrepared('core_test_counter_bump', bump, ['c']);
        // SQLite's driver answers a write with what it changed; PostgreSQL with its rows: none.
        expect(kind === 'postgres' ? rows : []).toEqual([]);
      }
      expect(await dataSource.getRepository(Counter).findOneBy({ id: 'c' })).toEqual({
        id: 'c',
        value: 3,
      });
      const insert = 'INSERT INTO core_test_counter (id, value) VALUES ($1, $2)';
      await expect(sut.queryPrepared('core_test_counter_insert', insert, ['c', 1])).rejects.toThrow(
        QueryFailedError,
      );
      await sut.queryPrepared('core_test_counter_insert', insert, ['d', 1]);
      expect(await dataSource.getRepository(Counter).countBy({})).toBe(2);
    });

    it('refuses a second query under a name already used', async () => {
      await sut.queryPrepared('core_test_counter_by', sql, [0, 'c']);
      await expect(
        sut.queryPrepared('core_test_counter_by', 'SELECT 1 AS one', []),
      ).rejects.toThrow('already used for another query');
    });
  });

  describe('queryNamed', () => {
    const sql =
      "SELECT id, value FROM core_test_counter WHERE (id IN (:...ids) OR value = :value OR value = :value + 1) AND id <> ':other' ORDER BY id";

    it('binds named, repeated and spread parameters, with lists of every length on every run', async () => {
      await dataSource.getRepository(Counter).insert([
        { id: 'd', value: 7 },
        { id: 'e', value: 8 },
      ]);
      for (const [parameters, ids] of [
        [{ ids: ['c'], value: 7 }, ['c', 'd', 'e']],
        [{ ids: ['c', 'x', 'y'], value: 8 }, ['c', 'e']],
        [{ ids: ['x'], value: 99 }, []],
        [{ ids: ['c'], value: 7 }, ['c', 'd', 'e']],
      ] as const) {
        const rows = await sut.queryNamed<{ id: string }>(sql, {
          ids: [...parameters.ids],
          value: parameters.value,
        });
        expect(rows.map((r) => r.id)).toEqual(ids);
      }
    });

    it('leaves names that are not parameters (casts, literals) as they are', async () => {
      const cast = kind === 'postgres' ? 'value::integer' : 'CAST(value AS integer)';
      const rows = await sut.queryNamed<{ id: string; v: number }>(
        `SELECT id, ${cast} AS v FROM core_test_counter WHERE id = :id`,
        { id: 'c' },
      );
      expect(rows.map((r) => [r.id, Number(r.v)])).toEqual([['c', 0]]);
    });

    it('prepares a shape when asked: parsed and described once per connection, the same rows', async () => {
      await dataSource.getRepository(Counter).insert({ id: 'd', value: 7 });
      const parse = kind === 'postgres' ? jest.spyOn(Connection.prototype, 'parse') : undefined;
      const describe = postgresDescribeSpy(kind);
      const read = 'SELECT id, value FROM core_test_counter WHERE id IN (:...ids) ORDER BY id';
      // One transaction: one connection.
      await sut.run(async (manager) => {
        for (const ids of [['c'], ['d'], ['x'], ['c', 'd']]) {
          const rows = await sut.queryNamed<{ id: string; value: number }>(
            read,
            { ids },
            { prepare: true },
          );
          const unprepared = await sut.queryNamed<{ id: string; value: number }>(read, { ids });
          expect(rows).toEqual(unprepared);
          expect(rows.map((r) => r.id)).toEqual(ids.filter((id) => id !== 'x'));
        }
        if (kind === 'postgres') {
          // Two shapes (one id, two ids) prepared on this connection; the unprepared runs parse each time.
          expect(parse!.mock.calls.filter(([m]) => m.name).length).toBe(2);
          expect(parse!.mock.calls.filter(([m]) => !m.name).length).toBe(4);
          expect(describe!.mock.calls.length).toBe(2 + 4);
          const prepared = await manager.query<{ name: string }[]>(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'custos_%'",
          );
          expect(prepared).toHaveLength(2);
        }
      });
      parse?.mockRestore();
      describe?.mockRestore();
    });

    it('joins the open transaction', async () => {
      await sut.run(async (manager) => {
        await manager.update(Counter, { id: 'c' }, { value: 5 });
        const rows = await sut.queryNamed<{ value: number }>(
          'SELECT value FROM core_test_counter WHERE id = :id',
          { id: 'c' },
        );
        expect(rows.map((r) => Number(r.value))).toEqual([5]);
      });
    });
  });
});
