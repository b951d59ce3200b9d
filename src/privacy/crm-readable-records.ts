import type { ReadableRecords } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { OBJECT_TYPE_NAMES } from '../crm/kernel';
import { PropertySchemaService } from '../crm/properties';
import { CrmAccessService, RecordQuery } from '../crm/records';

/** Ids per read: below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * The records (contacts, companies, deals) among `ids` the operator may read, archived ones too,
 * through the one scoped record query, batched by ids: what decides whether the values a subject
 * lookup or access package reads directly — consent events and states, attachments' file names,
 * audit events about a record, blind-index tokens — are shown (`PRIVACY_READABLE_RECORDS`).
 */
@Injectable()
export class CrmReadableRecords implements ReadableRecords {
  constructor(
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
  ) {}

  async readable(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    let left = [...new Set(ids)];
    for (const objectType of OBJECT_TYPE_NAMES) {
      if (left.length === 0) {
        break;
      }
      const schema = await this.schemas.schema(objectType);
      const access = await this.crmAccess.forSchema(schema);
      for (let start = 0; start < left.length; start += CHUNK) {
        const records = await this.query.find(schema, access, left.slice(start, start + CHUNK), {
          archived: 'any',
        });
        records.forEach((record) => found.add(record.id));
      }
      left = left.filter((id) => !found.has(id));
    }
    return found;
  }
}
