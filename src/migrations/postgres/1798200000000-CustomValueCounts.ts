import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createCustomValueCounts,
  customCountTriggers,
  customValueCountsOf,
  dropCountTriggers,
  dropCustomValueCounts,
  fillCustomValueCounts,
  LIVE_COUNT_TABLES,
} from '../record-counts';

/**
 * The number of live records per indexed custom property and value, account, owner, business
 * unit and the live counts' carried columns (`crm_contact_custom_count`…; the value as `->>`
 * reads it), so that the total of a page filtered by equality on an indexed custom property is a
 * SUM over them (docs/query-performance.md, "Custom value counts"). Statement triggers as
 * `RecordLiveCounts`', for the properties `crm_counted_property` lists for the rows' accounts:
 * the index job registers and fills a property under a SHARE lock of the record table (no write
 * between the registration and the fill) and clears it when unmarked (no DDL per property).
 */
export class CustomValueCounts1798200000000 implements MigrationInterface {
  name = 'CustomValueCounts1798200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of createCustomValueCounts('postgres')) {
      await queryRunner.query(statement);
    }
    for (const counted of LIVE_COUNT_TABLES) {
      for (const statement of customCountTriggers(counted, (text) => text)) {
        await queryRunner.query(statement);
      }
    }
    for (const statement of fillCustomValueCounts('postgres')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table } of [...LIVE_COUNT_TABLES].reverse()) {
      const counts = customValueCountsOf(table);
      for (const statement of dropCountTriggers(table, counts)) {
        await queryRunner.query(statement);
      }
    }
    for (const statement of dropCustomValueCounts()) {
      await queryRunner.query(statement);
    }
  }
}
