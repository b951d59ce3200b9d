import type { ConsentChannel, LegalBasis } from '../consent.types';

/** A SQL condition with its named parameters (TypeORM `:name` style). */
export interface AudienceCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** Where the host's contact rows are: the alias's id, account and address columns. */
export interface AudienceColumns {
  /** The contact id column, e.g. `r.id`. */
  id: string;
  /** The account column, e.g. `r.account_id`. */
  accountId: string;
  /** The column holding the address of the channel (`r.email`, `r.phone`); none for `post`. */
  address?: string;
}

/** The SQL spelling of {@link normaliseAddress} for a column: lower-cased e-mail, bare phone digits. */
function normalisedSql(column: string, channel: ConsentChannel): string {
  if (channel === 'email') {
    return `LOWER(TRIM(${column}))`;
  }
  const stripped = ['(', ')', '.', '-', ' '].reduce(
    (sql, character) => `REPLACE(${sql}, '${character}', '')`,
    column,
  );
  return `CASE WHEN ${stripped} LIKE '00%' THEN '+' || SUBSTR(${stripped}, 3) ELSE ${stripped} END`;
}

/**
 * The condition "this contact may be contacted for the purpose on the channel at `now`", in SQL,
 * for the host to add to its one scoped record query (so the actor's record rules apply too). It
 * is {@link ConsentGate.mayContact} for every row at once: the newest state of the purpose and
 * channel for the contact's address or for all its addresses must be a granted consent in effect
 * (or, under another legal basis, must not be a withdrawal — an objection), and the address must
 * not be blacklisted (auto-blacklisting covers repeated bounces).
 */
export function audienceCondition(
  purpose: { id: string; legalBasis: LegalBasis },
  channel: ConsentChannel,
  columns: AudienceColumns,
  now: Date,
): AudienceCondition {
  const address = columns.address ? normalisedSql(columns.address, channel) : null;
  const addresses = address ? `('', ${address})` : `('')`;
  const newest = `SELECT ca_s.status, ca_s.effective_from, ca_s.effective_to FROM consent_state ca_s
    WHERE ca_s.account_id = ${columns.accountId} AND ca_s.contact_id = ${columns.id}
      AND ca_s.purpose_id = :consentAudiencePurpose AND ca_s.channel = :consentAudienceChannel
      AND ca_s.address IN ${addresses}
      AND ca_s.seq = (SELECT MAX(ca_n.seq) FROM consent_state ca_n
        WHERE ca_n.account_id = ca_s.account_id AND ca_n.contact_id = ca_s.contact_id
          AND ca_n.purpose_id = ca_s.purpose_id AND ca_n.channel = ca_s.channel
          AND ca_n.address IN ${addresses})`;
  const consented =
    purpose.legalBasis === 'consent'
      ? `EXISTS (SELECT 1 FROM (${newest}) ca_c WHERE ca_c.status = 'granted'
          AND ca_c.effective_from <= :consentAudienceNow
          AND (ca_c.effective_to IS NULL OR ca_c.effective_to > :consentAudienceNow))`
      : `NOT EXISTS (SELECT 1 FROM (${newest}) ca_c WHERE ca_c.status = 'withdrawn')`;
  const notBlacklisted = address
    ? ` AND NOT EXISTS (SELECT 1 FROM consent_blacklist ca_b
        WHERE ca_b.account_id = ${columns.accountId} AND ca_b.value = ${address})`
    : '';
  return {
    sql: `(${consented}${notBlacklisted})`,
    parameters: {
      consentAudiencePurpose: purpose.id,
      consentAudienceChannel: channel,
      consentAudienceNow: now.toISOString(),
    },
  };
}
