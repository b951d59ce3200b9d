import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createLiveCounts,
  LIVE_COUNT_TABLES,
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

/** Adds `delta` to the count of `row`'s key when that row is live, inserting the row first for +1. */
function countRow(counted: LiveCountTable, row: 'OLD' | 'NEW', delta: 1 | -1): string {
  const counts = liveCountsOf(counted.table);
  const key = liveCountKey(counted);
  const insert = `INSERT INTO "${counts}" (${key.join(', ')}, "live")
    SELECT ${key.map((column) => `${row}.${column}`).join(', ')}, 0
    WHERE ${row}."archived_at" IS NULL AND NOT EXISTS (SELECT 1 FROM "${counts}" WHERE ${keyOf(counted, row)});`;
  // A live row's key has its count row (inserted with it): removing never inserts.
  return `${delta === 1 ? insert : ''}
    UPDATE "${counts}" SET "live" = "live" + ${delta} WHERE ${row}."archived_at" IS NULL AND ${keyOf(counted, row)};`;
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
    for (const counted of LIVE_COUNT_TABLES) {
      const { table } = counted;
      const counts = liveCountsOf(table);
      const key = liveCountKey(counted);
      for (const statement of createLiveCounts(counted, 'sqlite')) {
        await queryRunner.query(statement);
      }
      const triggers = {
        insert: `AFTER INSERT ON "${table}" FOR EACH ROW WHEN NEW."archived_at" IS NULL BEGIN ${countRow(counted, 'NEW', 1)} END`,
        delete: `AFTER DELETE ON "${table}" FOR EACH ROW WHEN OLD."archived_at" IS NULL BEGIN ${countRow(counted, 'OLD', -1)} END`,
        update: `AFTER UPDATE OF ${key.join(', ')}, "archived_at" ON "${table}" FOR EACH ROW
          WHEN ${key.map((column) => `OLD.${column} IS NOT NEW.${column}`).join(' OR ')} OR (OLD."archived_at" IS NULL) <> (NEW."archived_at" IS NULL)
          BEGIN ${countRow(counted, 'OLD', -1)} ${countRow(counted, 'NEW', 1)} END`,
      };
      for (const [event, trigger] of Object.entries(triggers)) {
        await queryRunner.query(`CREATE TRIGGER "${counts}_${event}" ${trigger}`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table } of [...LIVE_COUNT_TABLES].reverse()) {
      const counts = liveCountsOf(table);
      for (const event of ['update', 'delete', 'insert']) {
        await queryRunner.query(`DROP TRIGGER "${counts}_${event}"`);
      }
      await queryRunner.query(`DROP TABLE "${counts}"`);
    }
  }
}
