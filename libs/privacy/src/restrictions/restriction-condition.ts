import type { EntityManager } from 'typeorm';

/** A SQL condition with its named parameters (TypeORM `:name` style). */
export interface RestrictionCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** Where the host's subject rows are: the alias's id and account columns, e.g. `r.id`, `r.account_id`. */
export interface SubjectColumns {
  id: string;
  accountId: string;
}

/**
 * The one spelling of "this subject's processing is not restricted" (GDPR Art. 18) in SQL, for
 * the host to AND into the query that selects subjects for processing (exports, marketing
 * audiences), so a restricted subject never leaves in a page. An index probe of
 * `privacy_restriction_subject_uq` per row.
 */
export function unrestrictedCondition(
  subjectKind: string,
  columns: SubjectColumns,
): RestrictionCondition {
  return {
    sql: `NOT EXISTS (SELECT 1 FROM privacy_restriction pv_r WHERE pv_r.account_id = ${columns.accountId} AND pv_r.subject_kind = :privacyRestrictedKind AND pv_r.subject_id = ${columns.id})`,
    parameters: { privacyRestrictedKind: subjectKind },
  };
}

/**
 * Which of `subjectIds` are restricted now, read in the caller's transaction (`manager`): the
 * host's write path refuses to change them (`PrivacyErrors.subjectRestricted`).
 */
export async function restrictedSubjectIds(
  manager: EntityManager,
  accountId: string,
  subjectKind: string,
  subjectIds: readonly string[],
): Promise<Set<string>> {
  if (subjectIds.length === 0) {
    return new Set();
  }
  const rows = await manager
    .createQueryBuilder()
    .select('pv_r.subject_id', 'subjectId')
    .from('privacy_restriction', 'pv_r')
    .where('pv_r.account_id = :accountId AND pv_r.subject_kind = :kind', {
      accountId,
      kind: subjectKind,
    })
    .andWhere('pv_r.subject_id IN (:...ids)', { ids: [...subjectIds] })
    .getRawMany<{ subjectId: string }>();
  return new Set(rows.map((row) => row.subjectId));
}
