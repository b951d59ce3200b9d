import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NotificationEmail1796470000000 implements MigrationInterface {
  name = 'NotificationEmail1796470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_notification_email" ("account_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "kind" varchar(64) NOT NULL, PRIMARY KEY ("account_id", "user_id", "kind"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "custos_notification_email"`);
  }
}
