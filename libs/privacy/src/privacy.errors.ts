import { CustosError } from '@custos/core';
import type { PrivacyRequestStatus } from './requests/privacy-request.types';

/** The errors of `@custos/privacy`; codes are stable, details say what to do. */
export const PrivacyErrors = {
  invalidField: (field: string, message: string) =>
    CustosError.invalidField('privacy.invalid_input', field, message),
  requestNotFound: () => CustosError.notFound('privacy.request_not_found', 'The privacy request'),
  wrongStatus: (status: PrivacyRequestStatus, action: string) =>
    new CustosError(
      'conflict',
      'privacy.wrong_status',
      `A request that is ${status.replace(/_/g, ' ')} cannot be ${action}.`,
      { errors: [{ field: 'status', message: `is ${status}` }] },
    ),
  changedMeanwhile: () =>
    new CustosError(
      'conflict',
      'privacy.changed_meanwhile',
      'The request was changed by someone else meanwhile: read it again and retry.',
    ),
  alreadyExtended: () =>
    new CustosError('conflict', 'privacy.already_extended', 'The deadline can be extended once.', {
      errors: [{ field: 'reason', message: 'the request was already extended' }],
    }),
  extensionTooLate: (dueOn: string) =>
    new CustosError(
      'conflict',
      'privacy.extension_too_late',
      `An extension is decided within the first month, by ${dueOn}; that day has passed.`,
      { errors: [{ field: 'reason', message: 'the first month is over' }] },
    ),
  notAnAssignee: () =>
    CustosError.invalidField(
      'privacy.not_an_assignee',
      'assigneeUserId',
      'names no member of the account who may manage privacy requests',
    ),
  unknownOriginal: () =>
    CustosError.invalidField(
      'privacy.unknown_original',
      'duplicateOfId',
      'names no other request of the account',
    ),
  notAnErasure: () =>
    new CustosError(
      'conflict',
      'privacy.not_an_erasure',
      'Only an erasure request erases its subject: record one of type erasure.',
      { errors: [{ field: 'type', message: 'is not erasure' }] },
    ),
  erasureNotFound: () =>
    CustosError.notFound('privacy.erasure_not_found', 'The erasure of this request'),
  retentionPolicyNotFound: () =>
    CustosError.notFound('privacy.retention_policy_not_found', 'The retention policy'),
  activityNotFound: () =>
    CustosError.notFound('privacy.activity_not_found', 'The processing activity'),
  duplicateActivity: () =>
    CustosError.invalidField(
      'privacy.duplicate_activity',
      'name',
      'is already the name of a processing activity of the account',
    ),
  subjectRestricted: (field: string) =>
    new CustosError(
      'conflict',
      'privacy.subject_restricted',
      "The contact's processing is restricted (GDPR Art. 18): it can be read, but not changed, archived, exported or marketed to until a privacy operator lifts the restriction.",
      { errors: [{ field, message: 'names a contact whose processing is restricted' }] },
    ),
  alreadyRestricted: () =>
    new CustosError(
      'conflict',
      'privacy.already_restricted',
      "The contact's processing is already restricted.",
      { errors: [{ field: 'contactId', message: 'is already restricted' }] },
    ),
  restrictionNotFound: () =>
    CustosError.notFound('privacy.restriction_not_found', 'A restriction of the contact'),
  wrongRequestType: (expected: string) =>
    new CustosError(
      'conflict',
      'privacy.wrong_request_type',
      `Only a request of type ${expected} can do this.`,
      { errors: [{ field: 'type', message: `is not ${expected}` }] },
    ),
  noSubjectContact: () =>
    CustosError.invalidField(
      'privacy.no_subject_contact',
      'contactId',
      'is required: the request names no contact',
    ),
  noAddress: () =>
    CustosError.invalidField(
      'privacy.no_address',
      'subjectEmail',
      'the request and its contact hold no e-mail address or phone number to blacklist',
    ),
  verificationFailed: () =>
    CustosError.invalidField(
      'privacy.verification_failed',
      'code',
      'is wrong, expired or already used: submit the request again for a new code',
    ),
  intakeThrottled: (retryAfterSeconds: number) =>
    new CustosError(
      'rate_limited',
      'privacy.intake_throttled',
      `Too many privacy requests from here. Retry in ${retryAfterSeconds} seconds.`,
      { retryAfterSeconds },
    ),
  packageNotFound: () => CustosError.notFound('privacy.package_not_found', 'The package'),
  packageExists: () =>
    new CustosError(
      'conflict',
      'privacy.package_exists',
      'The request already has a package: review it, or withdraw it first.',
      { errors: [{ field: 'requestId', message: 'has a package' }] },
    ),
  packageWrongState: (state: string, action: string) =>
    new CustosError(
      'conflict',
      'privacy.package_wrong_state',
      `A package that is ${state} cannot be ${action}.`,
      { errors: [{ field: 'state', message: `is ${state}` }] },
    ),
  packageLinkGone: () =>
    new CustosError(
      'gone',
      'privacy.package_link_gone',
      'This download link has expired or was already used. Ask the organisation for a new one.',
    ),
  packageLinkNotFound: () => CustosError.notFound('privacy.package_link_not_found', 'The download'),
} as const;
