import { unrestrictedCondition } from '../restrictions/restriction-condition';
import type { RetentionCondition, RetentionObjectType } from './retention-policy.entity';

/** A SQL condition on the records' table (alias `c`) with its named parameters. */
export interface CandidateCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** What a policy's selection needs: the condition, its age and the run's moment. */
export interface CandidatePolicy {
  id: string;
  accountId: string;
  objectType: RetentionObjectType;
  condition: RetentionCondition;
  afterDays: number;
}

/**
 * Where a record type says it is closed (`closed`): in one of `stages` of `stageColumn`, on the
 * date in `dateColumn` (`YYYY-MM-DD` text, as the CRM keeps date properties).
 */
export interface ClosedColumns {
  stageColumn: string;
  stages: readonly string[];
  dateColumn: string;
}

/**
 * What a record type says about its own columns: where it closed (`closed`), and `activity`, a SQL
 * condition over the record (alias `c`) that holds when something happened to it or around it
 * since `:retentionCutoff` (ISO text) — for `inactive`.
 */
export interface RecordColumns {
  closed?: ClosedColumns;
  activity?: string;
}

const DAY_MS = 86_400_000;
const COLUMN = /^[a-z_][a-z0-9_]*$/;

/**
 * The one spelling of a policy's candidates in SQL, over the records' own table aliased `c` (the
 * CRM's record columns: `account_id`, `updated_at`, `archived_at`, timestamps as ISO text): the
 * account's records meeting the condition for `afterDays` days, that the policy has not erased
 * yet. For contacts, `restricted` picks the side of Art. 18: `false` the contacts the run
 * changes, `true` those it skips because their processing is restricted (reported, never
 * touched); other records have no subject to restrict.
 * - `stale_without_consent` (contacts): not updated since the cutoff, and no consent state
 *   granted now.
 * - `archived`: archived before the cutoff.
 * - `closed` (a type that names `closed` columns): in a closed stage, closed before the cutoff's
 *   date.
 * - `inactive` (a type that names its `activity`): not updated since the cutoff, and no activity
 *   since then (for a company: no deal of its created or changed).
 */
export function candidateCondition(
  policy: CandidatePolicy,
  now: Date,
  restricted: boolean,
  columns: RecordColumns = {},
): CandidateCondition {
  const { closed, activity } = columns;
  const cutoff = new Date(now.getTime() - policy.afterDays * DAY_MS).toISOString();
  const parts = ['c.account_id = :retentionAccountId'];
  const parameters: Record<string, unknown> = {
    retentionAccountId: policy.accountId,
    retentionPolicyId: policy.id,
    retentionCutoff: cutoff,
  };
  if (policy.condition === 'stale_without_consent') {
    parts.push(
      'c.updated_at < :retentionCutoff',
      "NOT EXISTS (SELECT 1 FROM consent_state rt_s WHERE rt_s.account_id = c.account_id AND rt_s.contact_id = c.id AND rt_s.status = 'granted' AND (rt_s.effective_to IS NULL OR rt_s.effective_to > :retentionNow))",
    );
    parameters.retentionNow = now.toISOString();
  } else if (policy.condition === 'closed') {
    if (!closed || ![closed.stageColumn, closed.dateColumn].every((c) => COLUMN.test(c))) {
      throw new Error(`Retention of ${policy.objectType}: no columns say when a record closed`);
    }
    const stages = closed.stages.map((stage, i) => {
      parameters[`retentionStage${i}`] = stage;
      return `:retentionStage${i}`;
    });
    parts.push(
      `c.${closed.stageColumn} IN (${stages.join(', ')})`,
      `c.${closed.dateColumn} < :retentionCutoffDate`,
    );
    parameters.retentionCutoffDate = cutoff.slice(0, 10);
  } else if (policy.condition === 'inactive') {
    if (!activity) {
      throw new Error(`Retention of ${policy.objectType}: no activity is declared`);
    }
    parts.push('c.updated_at < :retentionCutoff', `NOT (${activity})`);
  } else {
    parts.push('c.archived_at IS NOT NULL', 'c.archived_at < :retentionCutoff');
  }
  parts.push(
    'NOT EXISTS (SELECT 1 FROM privacy_retention_done rt_d WHERE rt_d.account_id = c.account_id AND rt_d.policy_id = :retentionPolicyId AND rt_d.record_id = c.id)',
  );
  if (policy.objectType === 'contacts') {
    const unrestricted = unrestrictedCondition('contact', {
      id: 'c.id',
      accountId: 'c.account_id',
    });
    parts.push(restricted ? `NOT (${unrestricted.sql})` : unrestricted.sql);
    Object.assign(parameters, unrestricted.parameters);
  } else if (restricted) {
    parts.push('1 = 0');
  }
  return { sql: parts.join(' AND '), parameters };
}
