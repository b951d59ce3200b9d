import { IsNull, type EntityManager } from 'typeorm';
import type { SqlCondition } from '@custos/access';
import type { RecordAccess, RecordChange } from '../records';
import type { PropertySchema } from '../kernel';
import { CrmAttachment } from './attachment.entity';

/**
 * Records which file property holds each attachment a write put into one: an attachment of the
 * same record whose id became the property's value. The first holder stays: a file that was a
 * property's data stays hidden from whoever may not read that property, even once the value moves.
 */
export async function holdAttachments(
  manager: EntityManager,
  schema: PropertySchema,
  changes: readonly RecordChange[],
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

/**
 * Whether the actor may see a file held by `property` (`null`: held by none). A file whose property
 * was deleted since stays hidden from all but super admins: it was data of a property not
 * everyone could read.
 */
export function mayReadHeldFile(access: RecordAccess, property: string | null): boolean {
  if (property === null) {
    return true;
  }
  return access.schema.byName.has(property) ? access.canView(property) : access.superAdmin;
}

/** {@link mayReadHeldFile} as a SQL condition on the attachment alias `alias`. */
export function readableHeldFiles(access: RecordAccess, alias = 'a'): SqlCondition {
  const files = [...access.schema.byName.values()].filter((d) => d.type === 'file');
  if (access.superAdmin) {
    const unreadable = files.filter((d) => !access.canView(d.name)).map((d) => d.name);
    return unreadable.length === 0
      ? { sql: '1=1', parameters: {} }
      : {
          sql: `(${alias}.propertyName IS NULL OR ${alias}.propertyName NOT IN (:...unreadableHolders))`,
          parameters: { unreadableHolders: unreadable },
        };
  }
  const readable = files.filter((d) => access.canView(d.name)).map((d) => d.name);
  return readable.length === 0
    ? { sql: `${alias}.propertyName IS NULL`, parameters: {} }
    : {
        sql: `(${alias}.propertyName IS NULL OR ${alias}.propertyName IN (:...readableHolders))`,
        parameters: { readableHolders: readable },
      };
}
