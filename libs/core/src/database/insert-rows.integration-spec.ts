import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing/test-database';
import { insertRows, updateRows } from './insert-rows';
import { TimestampColumn } from './timestamp-column';

@Entity('core_test_bulk_row')
class BulkRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  group!: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  key!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ type: 'integer' })
  count!: number;

  @Column({ type: 'boolean' })
  flag!: boolean;

  @Column({ type: 'simple-json', nullable: true })
  data!: { list: string[] } | null;

  @TimestampColumn({ name: 'at' })
  at!: Date;
}

/** Texts a bound array or a VALUES list could mangle: quotes, braces, commas, NULL, empty, non-ASCII. */
const AWKWARD = [
  '',
  'NULL',
  'a,b',
  '{x}',
  '"quoted"',
  'back\\slash',
  "it's",
  'zürich ✓',
  ' padded ',
];

describe.each(testDatabaseKinds())('insertRows and updateRows on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await new DataSource({
      ...connectionOptionsOf(database),
      entities: [BulkRow],
      synchronize: true,
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const read = () => dataSource.getRepository(BulkRow).find({ order: { key: 'ASC' } });

  it('writes every row as given, more rows than one statement of placeholders holds', async () => {
    const at = new Date('2026-12-06T01:02:03.004Z');
    const rows: BulkRow[] = Array.from({ length: 1200 }, (_, i) => ({
      group: 'g',
      key: `k${String(i).padStart(5, '0')}`,
      note: i % 7 === 0 ? null : AWKWARD[i % AWKWARD.length],
      count: i,
      flag: i % 2 === 0,
      data: i % 3 === 0 ? null : { list: [AWKWARD[i % AWKWARD.length]] },
      at,
    }));
    await dataSource.transaction((manager) => insertRows(manager, BulkRow, rows));
    expect(await read()).toEqual(rows);

    const changed = rows
      .filter((_, i) => i % 2 === 1)
      .map((row, i) => ({
        ...row,
        note: i % 5 === 0 ? null : `${AWKWARD[(i + 1) % AWKWARD.length]}!`,
        flag: !row.flag,
        data: { list: ['updated'] },
      }));
    await dataSource.transaction((manager) =>
      updateRows(manager, BulkRow, changed, ['note', 'flag', 'data']),
    );
    const byKey = new Map(changed.map((row) => [row.key, row]));
    expect(await read()).toEqual(rows.map((row) => byKey.get(row.key) ?? row));
  });

  it('refuses a property that is no column', async () => {
    await expect(
      updateRows(
        dataSource.manager,
        BulkRow,
        [{} as BulkRow],
        ['nothing' as unknown as keyof BulkRow],
      ),
    ).rejects.toThrow('no column');
  });
});
