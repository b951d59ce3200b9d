import { CustosError } from '@custos/core';

/** Why a mailing failed when no check's own code says it (`failureReason`). */
export const MAILING_FAILURES = {
  /** Its sender no longer holds `send_mailings`. */
  senderLostPrivilege: 'crm.mailing_sender_lost_privilege',
  /** Every attempt of its job failed (the database or the outbox kept failing). */
  attemptsExhausted: 'crm.mailing_attempts_exhausted',
  /** Its job was over at start (dead, completed or cancelled) while it was still being sent. */
  interrupted: 'crm.mailing_interrupted',
} as const;

/** The errors of mass mailings: stable codes, one wording each. */
export const MailingErrors = {
  /** A mailing of another account, or none: never told apart. */
  notFound: () => CustosError.notFound('crm.mailing_not_found', 'The mailing'),
  segmentAndFilter: () =>
    CustosError.invalidField(
      'crm.mailing_selection',
      'segmentId',
      'name either a segment or filter groups, not both',
    ),
  segmentOfAnotherType: () =>
    CustosError.invalidField('crm.mailing_selection', 'segmentId', 'must be a segment of contacts'),
  unknownToken: (field: string, token: string) =>
    CustosError.invalidField(
      'crm.mailing_unknown_token',
      field,
      `{{${token}}} is not a property of contacts`,
    ),
  sensitiveToken: (field: string, token: string) =>
    CustosError.invalidField(
      'crm.mailing_sensitive_token',
      field,
      `{{${token}}} is a sensitive property: sensitive properties are never used in templates`,
    ),
  unreadableToken: (field: string, token: string) =>
    new CustosError(
      'forbidden',
      'crm.mailing_unreadable_token',
      `${field}: you may not read {{${token}}}, so you may not mail it.`,
      { errors: [{ field, message: `{{${token}}} is a property you may not read` }] },
    ),
  notDraft: (status: string) =>
    new CustosError(
      'conflict',
      'crm.mailing_not_draft',
      `This mailing is ${status}: a mailing is sent once. Create a new one to send again.`,
    ),
  senderLostPrivilege: () =>
    new CustosError(
      'forbidden',
      MAILING_FAILURES.senderLostPrivilege,
      'The sender of this mailing no longer holds send_mailings.',
    ),
  notSending: (status: string) =>
    new CustosError(
      'conflict',
      'crm.mailing_not_cancellable',
      `This mailing is ${status}: only a mailing being sent (or a draft) can be cancelled.`,
    ),
};
