import { unrestrictedCondition } from '../restrictions/restriction-condition';
import type { RetentionCondition } from './retention-policy.entity';

/** A SQL condition on the contacts' table (alias `c`) with its named parameters. */
export interface CandidateCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** What a policy's selection needs: the condition, its age and the run's moment. */
export interface CandidatePolicy {
  id: string;
  accountId: string;
  condition: RetentionCondition;
  afterDays: number;
}

const DAY_MS = 86_400_000;

/**
 * The one spelling of a policy's candidates in SQL, over the contacts' own table aliased `c`
 * (the CRM's record columns: `account_id`, `updated_at`, `archived_at`, timestamps as ISO text):
 * the account's contacts meeting the condition for `afterDays` days, that the policy has not
 * erased yet. `restricted` picks the side of Art. 18: `false` the contacts the run changes,
 * `true` those it skips because their processing is restricted (reported, never touched).
 * - `stale_without_consent`: not updated since the cutoff, and no consent state granted now.
 * - `archived`: archived before the cutoff.
 */
export function candidateCondition(
  policy: CandidatePolicy,
  now: Date,
  restricted: boolean,
): CandidateCondition {
  const cutoff = new Date(now.getTime() - policy.afterDays * DAY_MS).toISOString();
  const parts = ['c.account_id = :retentionAccountId'];
  if (policy.condition === 'stale_without_consent') {
    parts.push(
      'c.updated_at < :retentionCutoff',
      "NOT EXISTS (SELECT 1 FROM consent_state rt_s WHERE rt_s.account_id = c.account_id AND rt_s.contact_id = c.id AND rt_s.status = 'granted' AND (rt_s.effective_to IS NULL OR rt_s.effective_to > :retentionNow))",
    );
  } else {
    parts.push('c.archived_at IS NOT NULL', 'c.archived_at < :retentionCutoff');
  }
  parts.push(
    'NOT EXISTS (SELECT 1 FROM privacy_retention_done rt_d WHERE rt_d.account_id = c.account_id AND rt_d.policy_id = :retentionPolicyId AND rt_d.contact_id = c.id)',
  );
  const unrestricted = unrestrictedCondition('contact', { id: 'c.id', accountId: 'c.account_id' });
  parts.push(restricted ? `NOT (${unrestricted.sql})` : unrestricted.sql);
  return {
    sql: parts.join(' AND '),
    parameters: {
      retentionAccountId: policy.accountId,
      retentionPolicyId: policy.id,
      retentionCutoff: cutoff,
      retentionNow: now.toISOString(),
      ...unrestricted.parameters,
    },
  };
}
