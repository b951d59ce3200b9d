import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  COUNTED_PROPERTIES,
  countRegistered,
  customValueCountsOf,
  LIVE_COUNT_TABLES,
  replaceCustomCountFunction,
  type LiveCountTable,
} from '../record-counts';

/** The function both the counts and the filters over them read a value through. */
const COUNT_VALUE = 'crm_custom_count_value';

/** Property types whose filter casts `->>`'s text (`SqlDialect.customValue`): counted as the cast reads it. */
const CAST_TYPES = `('number', 'score', 'calculation', 'bool')`;

/** The registrations of `counted`'s properties of {@link CAST_TYPES}, as a join condition on the registry `p`. */
const cast = ` AND p."value_type" IN ${CAST_TYPES}`;

/**
 * Recounts `counted`'s registered properties of {@link CAST_TYPES} as `value(text)`, writers kept
 * out (no write between the function's new body and the recount).
 */
function recount(counted: LiveCountTable, value: (text: string) => string): string[] {
  return [
    `LOCK TABLE "${counted.table}" IN SHARE MODE`,
    replaceCustomCountFunction(counted, value),
    `DELETE FROM "${customValueCountsOf(counted.table)}" c USING "${COUNTED_PROPERTIES}" p
      WHERE p."account_id" = c."account_id" AND p."object_table" = '${counted.table}' AND p."property_name" = c."property_name"${cast}`,
    countRegistered(counted, value(`r."custom"::jsonb ->> p."property_name"`), cast),
  ];
}

/**
 * PostgreSQL's custom value counts for number, bool, score and calculation properties too: their
 * filters compare `(->>)::double precision` or `::boolean`, so `1`, `1.0`, `"1"` and `1e0` are one
 * value and `true`, `"t"` and `"yes"` another, which `->>`'s text kept apart. The registry holds
 * each property's type (the index job writes it with the registration), and the counts hold
 * `crm_custom_count_value(text, type)`: a number's double as its 8 bytes in hex (exact, and
 * without the session's `extra_float_digits`; `+ 0` makes -0 the 0 it equals), a bool as
 * `true`/`false`, any other type the text itself. The filter over the counts reads its bound value
 * through the same function (docs/query-performance.md, "Custom value counts"). A value the cast
 * cannot read fails the write as before: the property's expression index holds the same cast
 * while it is registered.
 */
export class CustomValueCountTypes1798300000000 implements MigrationInterface {
  name = 'CustomValueCountTypes1798300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of [
      `ALTER TABLE "${COUNTED_PROPERTIES}" ADD COLUMN "value_type" varchar(16) NOT NULL DEFAULT 'string'`,
      `UPDATE "${COUNTED_PROPERTIES}" c SET "value_type" = p."type" FROM "crm_property" p WHERE p."id" = c."property_id"`,
      `ALTER TABLE "${COUNTED_PROPERTIES}" ALTER COLUMN "value_type" DROP DEFAULT`,
      // SQL, immutable: inlined into the triggers' and filters' queries.
      `CREATE FUNCTION "${COUNT_VALUE}"("value" text, "value_type" varchar) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE
            WHEN $2 IN ('number', 'score', 'calculation') THEN encode(float8send($1::double precision + 0), 'hex')
            WHEN $2 = 'bool' THEN $1::boolean::text
            ELSE $1
          END
        $$`,
      ...LIVE_COUNT_TABLES.flatMap((counted) =>
        recount(counted, (text) => `"${COUNT_VALUE}"(${text}, p."value_type")`),
      ),
    ]) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of [
      ...LIVE_COUNT_TABLES.flatMap((counted) => recount(counted, (text) => text)),
      `DROP FUNCTION "${COUNT_VALUE}"(text, varchar)`,
      `ALTER TABLE "${COUNTED_PROPERTIES}" DROP COLUMN "value_type"`,
    ]) {
      await queryRunner.query(statement);
    }
  }
}
