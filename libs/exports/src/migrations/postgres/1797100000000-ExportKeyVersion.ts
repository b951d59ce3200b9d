import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The data-key version that sealed an export's file, so key rotation can reseal it. */
export class ExportKeyVersion1797100000000 implements MigrationInterface {
  name = 'ExportKeyVersion1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "custos_export" ADD "key_version" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "custos_export" DROP COLUMN "key_version"`);
  }
}
