import type { ReadableRow, SubjectValueReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { PropertySchemaService } from '../crm/properties';
import { RecordReader } from '../crm/records';
import { SensitiveViewAudit } from '../crm/sensitive';

/**
 * Contacts' values in a subject lookup, read as the operator reads records: record access, field
 * permissions, sensitive values opened only for those who may (masked ones stay masked), and the
 * sensitive values shown audited like any read. Custom properties are `custom.<name>`.
 */
@Injectable()
export class CrmContactValues implements SubjectValueReader {
  readonly source = 'crm.contact';

  constructor(
    private readonly reader: RecordReader,
    private readonly schemas: PropertySchemaService,
    private readonly viewAudit: SensitiveViewAudit,
  ) {}

  async read(rowIds: string[]): Promise<Map<string, ReadableRow>> {
    const schema = await this.schemas.schema('contacts');
    const field = (name: string) =>
      schema.byName.get(name)?.standard === false ? `custom.${name}` : name;
    const records = await this.viewAudit.audited(await this.reader.batchRead('contacts', rowIds));
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
