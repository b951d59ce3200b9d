import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createAllLiveCounts,
  dropAllLiveCounts,
  liveCountKey,
  liveCountsOf,
  type LiveCountTable,
} from '../record-counts';

/** The count row of `row`'s key (`OLD` or `NEW`): `IS` matches NULL as a value (and uses the key index). */
function keyOf(counted: LiveCountTable, row: 'OLD' | 'NEW'): string {
  return liveCountKey(counted)
    .map((column, i) =>
      i === 0 ? `${column} = ${row}.${column}` : `${column} IS ${row}.${column}`,
    )
    .join(' AND ');
}

/**
 * Adds `delta` to the count of `row`'s key when that row is live; for +1, a key without a count
 * row gets one with 1 (`changes()`: the rows the UPDATE just before it changed).
 */
function countRow(counted: LiveCountTable, row: 'OLD' | 'NEW', delta: 1 | -1): string {
  const counts = liveCountsOf(counted.table);
  const key = liveCountKey(counted);
  const update = `UPDATE "${counts}" SET "live" = "live" + ${delta} WHERE ${row}."archived_at" IS NULL AND ${keyOf(counted, row)};`;
  // A live row's key has its count row (inserted with it): removing never inserts.
  return delta === 1
    ? `${update}
      INSERT INTO "${counts}" (${key.join(', ')}, "live")
      SELECT ${key.map((column) => `${row}.${column}`).join(', ')}, 1
      WHERE ${row}."archived_at" IS NULL AND changes() = 0;`
    : update;
}

/**
 * The number of live records of each record table per account, owner, business unit and the two
 * columns its owner filter index carries (`crm_contact_live_count`…: the record table's own
 * column names, NULL kept as NULL), so that a total whose every condition reads only those
 * columns is a SUM over them (docs/query-performance.md, "Maintained totals"). Kept as
 * `crm_record_count` is, by row triggers in the transaction of every write (SQLite serialises
 * writers).
 */
export class RecordLiveCounts1798150000000 implements MigrationInterface {
  name = 'RecordLiveCounts1798150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAllLiveCounts(queryRunner, 'sqlite', (counted, counts) => {
      const { table } = counted;
      const key = liveCountKey(counted);
      return [
        `CREATE TRIGGER "${counts}_insert" AFTER INSERT ON "${table}" FOR EACH ROW WHEN NEW."archived_at" IS NULL BEGIN ${countRow(counted, 'NEW', 1)} END`,
        `CREATE TRIGGER "${counts}_delete" AFTER DELETE ON "${table}" FOR EACH ROW WHEN OLD."archived_at" IS NULL BEGIN ${countRow(counted, 'OLD', -1)} END`,
        `CREATE TRIGGER "${counts}_update" AFTER UPDATE OF ${key.join(', ')}, "archived_at" ON "${table}" FOR EACH ROW
          WHEN ${key.map((column) => `OLD.${column} IS NOT NEW.${column}`).join(' OR ')} OR (OLD."archived_at" IS NULL) <> (NEW."archived_at" IS NULL)
          BEGIN ${countRow(counted, 'OLD', -1)} ${countRow(counted, 'NEW', 1)} END`,
      ];
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAllLiveCounts(queryRunner, (_, counts) =>
      ['update', 'delete', 'insert'].map((event) => `DROP TRIGGER "${counts}_${event}"`),
    );
  }
}
