import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NotificationEmail1796470000000 implements MigrationInterface {
  name = 'NotificationEmail1796470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_notification_email" ("account_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "kind" character varying(64) NOT NULL, CONSTRAINT "custos_notification_email_pk" PRIMARY KEY ("account_id", "user_id", "kind"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "custos_notification_email"`);
  }
}
