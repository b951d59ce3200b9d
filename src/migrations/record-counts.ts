/** What both databases' `RecordCounts` migrations share: the record tables and the backfill. */
export const RECORD_TABLES = ['crm_contact', 'crm_company', 'crm_deal'];

/** The count of each key of `table`'s live rows, as the triggers then keep it. */
export function backfillRecordCounts(table: string): string {
  return `INSERT INTO "crm_record_count" ("account_id", "object_table", "owner_id", "business_unit_id", "live")
    SELECT "account_id", '${table}', COALESCE("owner_id", ''), COALESCE("business_unit_id", ''), COUNT(*)
    FROM "${table}" WHERE "archived_at" IS NULL
    GROUP BY "account_id", COALESCE("owner_id", ''), COALESCE("business_unit_id", '')`;
}
