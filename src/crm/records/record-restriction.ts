import type { EntityManager } from 'typeorm';
import type { SqlCondition } from '@custos/access';
import {
  CONTACT_SUBJECT,
  PrivacyErrors,
  restrictedSubjectIds,
  unrestrictedCondition,
} from '@custos/privacy';
import type { PropertySchema } from '../kernel';

/** The CRM's data subjects are its contacts: restriction of processing (GDPR Art. 18) acts on them. */
function subjectKindOf(schema: PropertySchema): string | null {
  return schema.objectType.name === 'contacts' ? CONTACT_SUBJECT : null;
}

/**
 * The records of `schema` that may be processed (exported, marketed to): for contacts, those
 * whose processing is not restricted — `@custos/privacy`'s condition; `null` for other types.
 */
export function processableRecords(schema: PropertySchema): SqlCondition | null {
  const kind = subjectKindOf(schema);
  return kind ? unrestrictedCondition(kind, { id: 'r.id', accountId: 'r.account_id' }) : null;
}

/**
 * Refuses (409 `privacy.subject_restricted`) to change records whose processing is restricted,
 * in the writer's transaction: updates (API, batch, imports, forms), archiving, purging and
 * restoring all pass here. `fieldOf(index)` names the refused item.
 */
export async function assertChangeable(
  manager: EntityManager,
  schema: PropertySchema,
  accountId: string,
  ids: readonly string[],
  fieldOf: (index: number) => string,
): Promise<void> {
  const kind = subjectKindOf(schema);
  if (!kind) {
    return;
  }
  const restricted = await restrictedSubjectIds(manager, accountId, kind, ids);
  const index = ids.findIndex((id) => restricted.has(id));
  if (index >= 0) {
    throw PrivacyErrors.subjectRestricted(fieldOf(index));
  }
}
