import { RequestContext, TransactionHost } from '@custos/core';
import type { ReadableRow, SubjectValueReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { OBJECT_TYPE_NAMES } from '../crm/kernel';
import { PropertySchemaService } from '../crm/properties';
import { CrmAccessService } from '../crm/records';
import { CrmReadableRecords } from './crm-readable-records';

/** Rows per read: below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * The reserved values of unique properties (`crm.unique_value`) in a subject lookup or access
 * package: each is a copy of a record's property value, so it is shown only where the operator
 * may read that value on the record — the record in their record rules (`CrmReadableRecords`:
 * the one scoped query, archived records too) and the property in their field permissions.
 * Otherwise it is withheld, as the record's own value is.
 */
@Injectable()
export class CrmUniqueValues implements SubjectValueReader {
  readonly source = 'crm.unique_value';

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly records: CrmReadableRecords,
  ) {}

  async read(rowIds: string[]): Promise<Map<string, ReadableRow>> {
    const accountId = this.context.requireAccountId();
    const rows: UniqueRow[] = [];
    for (let start = 0; start < rowIds.length; start += CHUNK) {
      const ids = rowIds.slice(start, start + CHUNK);
      rows.push(
        ...(await this.transactions.manager.query<UniqueRow[]>(
          this.sql(
            `SELECT id, object_type, property_name, value_key, record_id FROM crm_unique_value WHERE account_id = $1 AND id IN (${ids.map((_, i) => `$${i + 2}`).join(', ')})`,
          ),
          [accountId, ...ids],
        )),
      );
    }
    // The records the operator may read (one rule: `CrmReadableRecords`), then per object type
    // the properties their field permissions show.
    const readable = await this.records.readable(rows.map((row) => row.record_id));
    const shown = new Map<string, ReadableRow>();
    for (const objectType of OBJECT_TYPE_NAMES) {
      const own = rows.filter(
        (row) => row.object_type === objectType && readable.has(row.record_id),
      );
      if (own.length === 0) {
        continue;
      }
      const access = await this.crmAccess.forSchema(await this.schemas.schema(objectType));
      for (const row of own.filter((row) => access.canView(row.property_name))) {
        shown.set(row.id, { values: { value_key: row.value_key }, withheld: [] });
      }
    }
    return shown;
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}

interface UniqueRow {
  id: string;
  object_type: string;
  property_name: string;
  value_key: string;
  record_id: string;
}
