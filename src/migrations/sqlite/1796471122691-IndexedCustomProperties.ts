import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom properties an admin marks `indexed`; their expression indexes are created and dropped
 * with the definitions (`CustomPropertyIndexes`), not here.
 */
export class IndexedCustomProperties1796471122691 implements MigrationInterface {
  name = 'IndexedCustomProperties1796471122691';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "crm_property" ADD "indexed" boolean NOT NULL DEFAULT (0)`,
    );
    await queryRunner.query(`ALTER TABLE "crm_property" ADD "index_state" varchar(16)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "index_state"`);
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "indexed"`);
  }
}
