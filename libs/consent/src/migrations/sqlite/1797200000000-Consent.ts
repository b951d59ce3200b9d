import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Consent1797200000000 implements MigrationInterface {
  name = 'Consent1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "consent_blacklist" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "kind" varchar(8) NOT NULL, "value" varchar(320) NOT NULL, "reason" varchar(16) NOT NULL, "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_blacklist_value_uq" ON "consent_blacklist" ("account_id", "value") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_bounce" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "address" varchar(320) NOT NULL, "occurred_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_bounce_address_idx" ON "consent_bounce" ("account_id", "address", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_chain_head" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "seq" integer NOT NULL, "hash" varchar(64) NOT NULL, "signature" varchar(64) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_event" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "seq" integer NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, "contact_id" varchar(36) NOT NULL, "purpose_id" varchar(36) NOT NULL, "channel" varchar(8) NOT NULL, "address" varchar(320) NOT NULL, "status" varchar(12) NOT NULL, "source" varchar(24) NOT NULL, "notice_version" integer, "actor_kind" varchar(24) NOT NULL, "actor_id" varchar(64) NOT NULL, "ip" varchar(45), "user_agent" varchar(512), "proof" text, "effective_from" varchar(24) NOT NULL, "effective_to" varchar(24), "confirmed_at" varchar(24), "occurred_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_event_contact_idx" ON "consent_event" ("account_id", "contact_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_event_seq_uq" ON "consent_event" ("account_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_state" ("account_id" varchar(36) NOT NULL, "contact_id" varchar(36) NOT NULL, "purpose_id" varchar(36) NOT NULL, "channel" varchar(8) NOT NULL, "address" varchar(320) NOT NULL, "status" varchar(12) NOT NULL, "seq" integer NOT NULL, "event_id" varchar(36) NOT NULL, "notice_version" integer, "effective_from" varchar(24) NOT NULL, "effective_to" varchar(24), PRIMARY KEY ("account_id", "contact_id", "purpose_id", "channel", "address"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_notice" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "purpose_id" varchar(36) NOT NULL, "version" integer NOT NULL, "text" text NOT NULL, "sha256" varchar(64) NOT NULL, "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_notice_version_uq" ON "consent_notice" ("purpose_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_purpose" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "key" varchar(64) NOT NULL, "name" varchar(200) NOT NULL, "description" text, "legal_basis" varchar(24) NOT NULL, "channels" text NOT NULL, "double_opt_in" boolean NOT NULL, "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_purpose_key_uq" ON "consent_purpose" ("account_id", "key") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "consent_purpose_key_uq"`);
    await queryRunner.query(`DROP TABLE "consent_purpose"`);
    await queryRunner.query(`DROP INDEX "consent_notice_version_uq"`);
    await queryRunner.query(`DROP TABLE "consent_notice"`);
    await queryRunner.query(`DROP TABLE "consent_state"`);
    await queryRunner.query(`DROP INDEX "consent_event_seq_uq"`);
    await queryRunner.query(`DROP INDEX "consent_event_contact_idx"`);
    await queryRunner.query(`DROP TABLE "consent_event"`);
    await queryRunner.query(`DROP TABLE "consent_chain_head"`);
    await queryRunner.query(`DROP INDEX "consent_bounce_address_idx"`);
    await queryRunner.query(`DROP TABLE "consent_bounce"`);
    await queryRunner.query(`DROP INDEX "consent_blacklist_value_uq"`);
    await queryRunner.query(`DROP TABLE "consent_blacklist"`);
  }
}
