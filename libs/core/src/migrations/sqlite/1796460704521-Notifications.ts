import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1796460704521 implements MigrationInterface {
  name = 'Notifications1796460704521';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_notification" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "recipient_user_id" varchar(36) NOT NULL, "kind" varchar(64) NOT NULL, "topic_id" varchar(36), "refs" text NOT NULL, "created_at" varchar(24) NOT NULL, "read_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_topic_idx" ON "custos_notification" ("account_id", "kind", "topic_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_recipient_idx" ON "custos_notification" ("account_id", "recipient_user_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "custos_notification_topic_idx"`);
    await queryRunner.query(`DROP TABLE "custos_notification"`);
  }
}
