import type { ReadableRow, SubjectValueReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { OBJECT_TYPE_NAMES, type ObjectTypeName } from '../crm/kernel';
import { PropertySchemaService } from '../crm/properties';
import { RecordReader } from '../crm/records';
import { SensitiveViewAudit } from '../crm/sensitive';
import { CRM_RECORD_SOURCES } from './custom-property-data';

/**
 * Contacts', companies' and deals' values in a subject lookup or access package, read through the
 * CRM's scoped batch read as the operator reads records: record access in the SQL, field
 * permissions, sensitive values opened only for those who may (masked ones stay masked), and the
 * sensitive values shown audited like any read. A record the operator may not read is left out
 * (every value withheld). Custom properties are `custom.<name>`. One reader per object type.
 */
@Injectable()
export class CrmRecordValues {
  constructor(
    private readonly reader: RecordReader,
    private readonly schemas: PropertySchemaService,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  readers(): SubjectValueReader[] {
    return OBJECT_TYPE_NAMES.map((objectType) => ({
      source: CRM_RECORD_SOURCES[objectType],
      read: (rowIds: string[]) => this.read(objectType, rowIds),
    }));
  }

  async read(objectType: ObjectTypeName, rowIds: string[]): Promise<Map<string, ReadableRow>> {
    const schema = await this.schemas.schema(objectType);
    const field = (name: string) =>
      schema.byName.get(name)?.standard === false ? `custom.${name}` : name;
    const records = await this.viewAudit.audited(await this.reader.batchRead(objectType, rowIds));
    return new Map(
      records.map((record) => [
        record.id,
        {
          values: Object.fromEntries(
            Object.entries(record.properties).map(([name, value]) => [field(name), value]),
          ),
          withheld: [...record.redacted, ...(record.masked ?? [])].map(field),
        },
      ]),
    );
  }
}
