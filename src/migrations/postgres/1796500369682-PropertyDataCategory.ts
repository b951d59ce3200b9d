import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PropertyDataCategory1796500369682 implements MigrationInterface {
  name = 'PropertyDataCategory1796500369682';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_property" ADD "data_category" character varying(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "data_category"`);
  }
}
