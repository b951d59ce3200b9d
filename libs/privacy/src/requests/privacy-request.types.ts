/** The rights a request exercises (GDPR Art. 15–21, and withdrawing consent, Art. 7(3)). */
export const PRIVACY_REQUEST_TYPES = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'portability',
  'consent_withdrawal',
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export const PRIVACY_REQUEST_STATUSES = [
  'received',
  'identity_unverified',
  'in_progress',
  'waiting_for_subject',
  'extended',
  'completed',
  'refused',
  'duplicate',
] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

/** Statuses a request no longer leaves. */
export const CLOSED_STATUSES: readonly PrivacyRequestStatus[] = [
  'completed',
  'refused',
  'duplicate',
];
/** Open statuses whose clock runs (a pause stops it). */
export const RUNNING_STATUSES: readonly PrivacyRequestStatus[] = [
  'received',
  'identity_unverified',
  'in_progress',
  'extended',
];
/** Statuses of a request not closed yet: running, or waiting for the subject. */
export const OPEN_STATUSES: readonly PrivacyRequestStatus[] = [
  ...RUNNING_STATUSES,
  'waiting_for_subject',
];

export const PRIVACY_REQUEST_CHANNELS = [
  'email',
  'phone',
  'post',
  'in_person',
  'web_form',
  'other',
] as const;
export type PrivacyRequestChannel = (typeof PRIVACY_REQUEST_CHANNELS)[number];
