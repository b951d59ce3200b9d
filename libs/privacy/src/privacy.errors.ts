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
  activityNotFound: () =>
    CustosError.notFound('privacy.activity_not_found', 'The processing activity'),
  duplicateActivity: () =>
    CustosError.invalidField(
      'privacy.duplicate_activity',
      'name',
      'is already the name of a processing activity of the account',
    ),
} as const;
