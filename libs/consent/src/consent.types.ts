/** The six lawful bases of GDPR Art. 6(1), (a) to (f). */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interest',
  'public_task',
  'legitimate_interest',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** The channels a purpose may use. */
export const CONSENT_CHANNELS = ['email', 'phone', 'sms', 'post'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/**
 * Where a consent event came from. `form`, `unsubscribe_link`, `preference_page` and
 * `confirmation_link` are public (the person, no login): their IP (truncated) and user agent are kept.
 */
export const CONSENT_SOURCES = [
  'form',
  'api',
  'import',
  'staff',
  'unsubscribe_link',
  'preference_page',
  'confirmation_link',
] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const PUBLIC_CONSENT_SOURCES: ReadonlySet<ConsentSource> = new Set([
  'form',
  'unsubscribe_link',
  'preference_page',
  'confirmation_link',
]);

/**
 * What an event says: `granted`, `withdrawn`, or `pending` (consent given, awaiting the
 * confirmation of a double opt-in; it does not allow mailing).
 */
export const CONSENT_STATUSES = ['granted', 'withdrawn', 'pending'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Evidence of a public event: what the person saw and sent (form and submission ids, no values). */
export interface ConsentProof {
  formId?: string;
  submissionId?: string;
  /** The id of the event a confirmation confirms. */
  confirms?: string;
}

/** The request a public event came with. */
export interface ConsentRequestInfo {
  ip?: string | null;
  userAgent?: string | null;
}
