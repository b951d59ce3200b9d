import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Consent1797200000000 implements MigrationInterface {
  name = 'Consent1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "consent_blacklist" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "kind" character varying(8) NOT NULL, "value" character varying(320) NOT NULL, "reason" character varying(16) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "consent_blacklist_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_blacklist_value_uq" ON "consent_blacklist"  ("account_id", "value") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_bounce" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "address" character varying(320) NOT NULL, "occurred_at" character varying(24) NOT NULL, CONSTRAINT "consent_bounce_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_bounce_address_idx" ON "consent_bounce"  ("account_id", "address", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_chain_head" ("account_id" character varying(36) NOT NULL, "seq" integer NOT NULL, "hash" character varying(64) NOT NULL, "signature" character varying(64) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "consent_chain_head_pk" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_event" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "seq" integer NOT NULL, "prev_hash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, "contact_id" character varying(36) NOT NULL, "purpose_id" character varying(36) NOT NULL, "channel" character varying(8) NOT NULL, "address" character varying(320) NOT NULL, "status" character varying(12) NOT NULL, "source" character varying(24) NOT NULL, "notice_version" integer, "actor_kind" character varying(24) NOT NULL, "actor_id" character varying(64) NOT NULL, "ip" character varying(45), "user_agent" character varying(512), "proof" text, "effective_from" character varying(24) NOT NULL, "effective_to" character varying(24), "confirmed_at" character varying(24), "occurred_at" character varying(24) NOT NULL, CONSTRAINT "consent_event_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_event_contact_idx" ON "consent_event"  ("account_id", "contact_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_event_seq_uq" ON "consent_event"  ("account_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_state" ("account_id" character varying(36) NOT NULL, "contact_id" character varying(36) NOT NULL, "purpose_id" character varying(36) NOT NULL, "channel" character varying(8) NOT NULL, "address" character varying(320) NOT NULL, "status" character varying(12) NOT NULL, "seq" integer NOT NULL, "event_id" character varying(36) NOT NULL, "notice_version" integer, "effective_from" character varying(24) NOT NULL, "effective_to" character varying(24), CONSTRAINT "consent_state_pk" PRIMARY KEY ("account_id", "contact_id", "purpose_id", "channel", "address"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_notice" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "purpose_id" character varying(36) NOT NULL, "version" integer NOT NULL, "text" text NOT NULL, "sha256" character varying(64) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "consent_notice_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_notice_version_uq" ON "consent_notice"  ("purpose_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_purpose" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "key" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "description" text, "legal_basis" character varying(24) NOT NULL, "channels" text NOT NULL, "double_opt_in" boolean NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "consent_purpose_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "consent_purpose_key_uq" ON "consent_purpose"  ("account_id", "key") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."consent_purpose_key_uq"`);
    await queryRunner.query(`DROP TABLE "consent_purpose"`);
    await queryRunner.query(`DROP INDEX "public"."consent_notice_version_uq"`);
    await queryRunner.query(`DROP TABLE "consent_notice"`);
    await queryRunner.query(`DROP TABLE "consent_state"`);
    await queryRunner.query(`DROP INDEX "public"."consent_event_seq_uq"`);
    await queryRunner.query(`DROP INDEX "public"."consent_event_contact_idx"`);
    await queryRunner.query(`DROP TABLE "consent_event"`);
    await queryRunner.query(`DROP TABLE "consent_chain_head"`);
    await queryRunner.query(`DROP INDEX "public"."consent_bounce_address_idx"`);
    await queryRunner.query(`DROP TABLE "consent_bounce"`);
    await queryRunner.query(`DROP INDEX "public"."consent_blacklist_value_uq"`);
    await queryRunner.query(`DROP TABLE "consent_blacklist"`);
  }
}
