import type { ConsentChannel, LegalBasis } from '../consent.types';

/** A SQL condition with its named parameters (TypeORM `:name` style). */
export interface AudienceCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** Where the host's contact rows are: its table, that table's alias in the host's query, its columns. */
export interface AudienceColumns {
  /** The host's contact table, e.g. `crm_contact`. */
  table: string;
  /** The alias of that table in the host's query, e.g. `r`. */
  alias: string;
  /** The contact id column, e.g. `id`. */
  id: string;
  /** The account column, e.g. `account_id`. */
  accountId: string;
  /** The column holding the address of the channel (`email`, `phone`); none for `post`. */
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
  const { table, alias, id, accountId } = columns;
  const addressOf = (of: string) =>
    columns.address ? normalisedSql(`${of}.${columns.address}`, channel) : null;
  const address = addressOf(alias);
  // The contact's row is read again inside (by id, as `ca_c`): the states of its address are
  // then compared with a column of the subquery's own level, not the host's, and the planner can
  // make the whole of it one semi-join (hash joins over consent_state at 1,000,000 contacts)
  // instead of a subquery per contact and state.
  const inner = addressOf('ca_c');
  const addresses = inner ? `('', ${inner})` : `('')`;
  const contact = inner
    ? ` JOIN "${table}" ca_c ON ca_c.${id} = ca_s.contact_id AND ca_c.${accountId} = ca_s.account_id`
    : '';
  // "The newest state of the key (for all addresses or the contact's own) is …", spelled as such
  // a state with no newer one beside it.
  const newestIs = (condition: string) => `SELECT 1 FROM consent_state ca_s${contact}
    WHERE ca_s.account_id = ${alias}.${accountId} AND ca_s.contact_id = ${alias}.${id}
      AND ca_s.purpose_id = :consentAudiencePurpose AND ca_s.channel = :consentAudienceChannel
      AND ca_s.address IN ${addresses} AND ${condition}
      AND NOT EXISTS (SELECT 1 FROM consent_state ca_n
        WHERE ca_n.account_id = ca_s.account_id AND ca_n.contact_id = ca_s.contact_id
          AND ca_n.purpose_id = ca_s.purpose_id AND ca_n.channel = ca_s.channel
          AND ca_n.address IN ${addresses} AND ca_n.seq > ca_s.seq)`;
  const consented =
    purpose.legalBasis === 'consent'
      ? `EXISTS (${newestIs(`ca_s.status = 'granted' AND ca_s.effective_from <= :consentAudienceNow
          AND (ca_s.effective_to IS NULL OR ca_s.effective_to > :consentAudienceNow)`)})`
      : `NOT EXISTS (${newestIs(`ca_s.status = 'withdrawn'`)})`;
  const notBlacklisted = address
    ? ` AND NOT EXISTS (SELECT 1 FROM consent_blacklist ca_b
        WHERE ca_b.account_id = ${alias}.${accountId} AND ca_b.value = ${address})`
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
