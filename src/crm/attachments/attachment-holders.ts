import { IsNull, type EntityManager } from 'typeorm';
import type { PropertySchema } from '../properties/property.service';
import type { PropertyValue } from '../properties/property-type';
import type { StoredRecord } from '../records/record-store';
import { CrmAttachment } from './attachment.entity';

/**
 * Records which file property holds each attachment a write put into one: an attachment of the
 * same record whose id became the property's value. The first holder stays: a file that was a
 * property's data stays hidden from whoever may not read that property, even once the value moves.
 */
export async function holdAttachments(
  manager: EntityManager,
  schema: PropertySchema,
  changes: readonly { record: StoredRecord; before: Record<string, PropertyValue> }[],
): Promise<void> {
  const fileProperties = [...schema.byName.values()].filter((d) => d.type === 'file');
  for (const { record, before } of changes) {
    for (const { name } of fileProperties) {
      const value = record.values[name] ?? null;
      if (typeof value !== 'string' || value === (before[name] ?? null)) {
        continue;
      }
      await manager.update(
        CrmAttachment,
        {
          accountId: record.accountId,
          objectType: schema.objectType.name,
          recordId: record.id,
          id: value,
          propertyName: IsNull(),
        },
        { propertyName: name },
      );
    }
  }
}
