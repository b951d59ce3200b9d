import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AttachmentHolders1796448428284 implements MigrationInterface {
  name = 'AttachmentHolders1796448428284';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "crm_attachment" ADD "property_name" character varying(100)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_import_creator_idx" ON "crm_import"  ("account_id", "actor_kind", "actor_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crm_import_creator_idx"`);
    await queryRunner.query(`ALTER TABLE "crm_attachment" DROP COLUMN "property_name"`);
  }
}
