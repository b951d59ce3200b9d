import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1796460704521 implements MigrationInterface {
  name = 'Notifications1796460704521';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_notification" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "recipient_user_id" character varying(36) NOT NULL, "kind" character varying(64) NOT NULL, "topic_id" character varying(36), "refs" text NOT NULL, "created_at" character varying(24) NOT NULL, "read_at" character varying(24), CONSTRAINT "custos_notification_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_topic_idx" ON "custos_notification"  ("account_id", "kind", "topic_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_recipient_idx" ON "custos_notification"  ("account_id", "recipient_user_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."custos_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "public"."custos_notification_topic_idx"`);
    await queryRunner.query(`DROP TABLE "custos_notification"`);
  }
}
