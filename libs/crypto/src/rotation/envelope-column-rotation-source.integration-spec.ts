import { DataSource } from 'typeorm';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { keyVersionOf, sealInFormat } from '../envelope/envelope';
import { rotationBatch, rotationCiphers } from '../testing/rotation-ciphers';
import {
  EnvelopeColumnRotationSource,
  type EnvelopeColumns,
  type ResealedRow,
} from './envelope-column-rotation-source';

const ACCOUNT = 'acc-rotation';
const TABLE = 'rotation_value';

interface ValueRow {
  id: string;
  payload: string;
}

const placeOf = (id: string, key: string) => ({ table: TABLE, column: key, recordId: id });

/** Values as members of a JSON object per row, every member sealed at (table, member, row). */
function columns(rewrites: ResealedRow<ValueRow>[][]): EnvelopeColumns<ValueRow, true> {
  return {
    name: TABLE,
    table: TABLE,
    columns: ['id', 'payload'],
    envelopeColumns: ['payload'],
    envelopeLike: 'inJson',
    scope: () => Promise.resolve(true),
    slots: (row) =>
      Object.entries(JSON.parse(row.payload) as Record<string, unknown>).map(([key, value]) => ({
        key,
        value,
        place: placeOf(row.id, key),
      })),
    rewrite: (row, resealed) => [
      JSON.stringify({ ...(JSON.parse(row.payload) as object), ...Object.fromEntries(resealed) }),
    ],
    afterRewrite: (_manager, _accountId, rows) => {
      rewrites.push(rows);
      return Promise.resolve();
    },
  };
}

describe.each(testDatabaseKinds())(`${EnvelopeColumnRotationSource.name} on %s`, (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const { second, onFirst, onSecond } = rotationCiphers(ACCOUNT);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await new DataSource({ ...connectionOptionsOf(database) }).initialize();
    await dataSource.query(
      `CREATE TABLE ${TABLE} (id varchar(40) PRIMARY KEY, account_id varchar(40) NOT NULL, payload text NOT NULL)`,
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  beforeEach(() => dataSource.query(`DELETE FROM ${TABLE}`));

  async function insert(id: string, payload: Record<string, unknown>, accountId = ACCOUNT) {
    await dataSource.query(
      `INSERT INTO ${TABLE} (id, account_id, payload) VALUES (${kind === 'postgres' ? '$1, $2, $3' : '?, ?, ?'})`,
      [id, accountId, JSON.stringify(payload)],
    );
  }

  async function payloadOf(id: string): Promise<Record<string, unknown>> {
    const [row] = await dataSource.query<{ payload: string }[]>(
      `SELECT payload FROM ${TABLE} WHERE id = ${kind === 'postgres' ? '$1' : '?'}`,
      [id],
    );
    return JSON.parse(row.payload) as Record<string, unknown>;
  }

  const batch = (
    source: EnvelopeColumnRotationSource<ValueRow, true>,
    after: string | null,
    limit: number,
  ) => rotationBatch(dataSource, source, { accountId: ACCOUNT, cipher: onSecond, after, limit });

  it('seals values on an older key again in batches, leaving clear text, other accounts and unreadable values', async () => {
    await insert('r1', { a: onFirst.seal('one', placeOf('r1', 'a')), plain: 'clear' });
    await insert('r2', { a: onSecond.seal('two', placeOf('r2', 'a')) });
    // Moved from another row: it does not open at r3, so it keeps its key.
    await insert('r3', { a: onFirst.seal('three', placeOf('elsewhere', 'a')), b: 'cx1.garbage' });
    await insert('r4', { plain: 'no envelope here' });
    await insert('r5', { a: onFirst.seal('five', placeOf('r5', 'a')) });
    await insert('x1', { a: onFirst.seal('other', placeOf('x1', 'a')) }, 'acc-other');
    const rewrites: ResealedRow<ValueRow>[][] = [];
    const source = new EnvelopeColumnRotationSource(columns(rewrites));

    const before = await dataSource.transaction((m) => source.countByVersion(m, ACCOUNT));
    expect(Object.fromEntries(before)).toEqual({ 1: 3, 2: 1 });

    const one = await batch(source, null, 2);
    expect(one).toEqual({ lastKey: 'r2', reencrypted: 1, unreadable: 0, done: false });
    const two = await batch(source, one.lastKey, 2);
    // r4 holds no envelope, so the scan skips it: r3 and r5 make the batch.
    expect(two).toEqual({ lastKey: 'r5', reencrypted: 1, unreadable: 2, done: false });
    expect(await batch(source, two.lastKey, 2)).toEqual({
      lastKey: 'r5',
      reencrypted: 0,
      unreadable: 0,
      done: true,
    });

    expect(onSecond.open((await payloadOf('r1')).a as string, placeOf('r1', 'a'))).toBe('one');
    expect(keyVersionOf((await payloadOf('r1')).a as string)).toBe(2);
    expect((await payloadOf('r1')).plain).toBe('clear');
    expect(keyVersionOf((await payloadOf('r5')).a as string)).toBe(2);
    expect(keyVersionOf((await payloadOf('r3')).a as string)).toBe(1);
    expect((await payloadOf('r3')).b).toBe('cx1.garbage');
    expect(keyVersionOf((await payloadOf('x1')).a as string)).toBe(1);
    expect(
      rewrites.map((rows) => rows.map(({ row, resealed }) => [row.id, [...resealed.keys()]])),
    ).toEqual([[['r1', ['a']]], [['r5', ['a']]]]);

    const after = await dataSource.transaction((m) => source.countByVersion(m, ACCOUNT));
    expect(Object.fromEntries(after)).toEqual({ 1: 1, 2: 3 });
  });

  it('moves a format-1 envelope opened at its former place into the current binding', async () => {
    const formerPlace = { table: 'old_table', column: 'a', recordId: 'r1:former' };
    const former = sealInFormat(1, 'kept', second, { ...formerPlace, accountId: ACCOUNT });
    await insert('r1', { a: former });
    const source = new EnvelopeColumnRotationSource({
      ...columns([]),
      slots: (row) => [
        {
          key: 'a',
          value: (JSON.parse(row.payload) as { a: unknown }).a,
          place: placeOf(row.id, 'a'),
          formerPlace,
        },
      ],
    });
    expect(await batch(source, null, 10)).toMatchObject({
      reencrypted: 1,
      unreadable: 0,
      done: true,
    });
    expect(onSecond.open((await payloadOf('r1')).a as string, placeOf('r1', 'a'))).toBe('kept');
  });

  it('does nothing when the scope says no value can be there', async () => {
    await insert('r1', { a: onFirst.seal('one', placeOf('r1', 'a')) });
    const source = new EnvelopeColumnRotationSource({
      ...columns([]),
      scope: () => Promise.resolve(null),
    });
    expect(await batch(source, null, 10)).toEqual({
      lastKey: null,
      reencrypted: 0,
      unreadable: 0,
      done: true,
    });
    expect((await dataSource.transaction((m) => source.countByVersion(m, ACCOUNT))).size).toBe(0);
  });
});
