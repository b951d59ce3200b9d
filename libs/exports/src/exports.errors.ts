import { CustosError } from '@custos/core';
import { EXPORT_FORMATS } from './export.entity';

/** The errors of `@custos/exports`; codes are stable, details say what to do. */
export const ExportErrors = {
  notFound: () => CustosError.notFound('exports.not_found', 'The export'),
  unknownSource: (sources: readonly string[]) =>
    CustosError.invalidField(
      'exports.unknown_source',
      'source',
      `must be one of ${sources.join(', ')}`,
    ),
  unknownFormat: () =>
    CustosError.invalidField(
      'exports.unknown_format',
      'format',
      `must be one of ${EXPORT_FORMATS.join(', ')}`,
    ),
  invalidField: (field: string, message: string) =>
    CustosError.invalidField('exports.invalid_input', field, message),
  notRequester: () =>
    new CustosError(
      'forbidden',
      'exports.not_requester',
      'Only the person who asked for this export may do this.',
    ),
  approvalNeedsPerson: (reason: 'sensitive' | 'threshold') =>
    new CustosError(
      'forbidden',
      'exports.approval_needs_person',
      `This export needs approval (${
        reason === 'sensitive'
          ? 'it holds sensitive data'
          : "it holds more records than the account's approval threshold"
      }), and approval is requested only by a member of the account in person, not by an API key or a partner or support session. Ask a member to request it, or use a key with the export_without_approval scope (its creator must hold that privilege).`,
      { extensions: { reason } },
    ),
  stateConflict: (state: string) =>
    new CustosError(
      'conflict',
      'exports.state_conflict',
      `The export is ${state}: this can no longer be done. Read it again to see where it is.`,
      { extensions: { state } },
    ),
  notPending: () =>
    new CustosError(
      'conflict',
      'exports.not_pending_approval',
      'The export does not wait for approval: there is nothing to decide.',
    ),
  fileNotReady: (state: string) =>
    new CustosError(
      'conflict',
      'exports.file_not_ready',
      `The export is ${state}: its file can be downloaded once it is done.`,
      { extensions: { state } },
    ),
  fileExpired: () =>
    new CustosError(
      'gone',
      'exports.file_expired',
      'The file of this export has expired and was deleted. Ask for the export again.',
    ),
  fileUnreadable: () =>
    new CustosError(
      'unavailable',
      'exports.file_unreadable',
      'The file of this export fails its integrity check or its key does not open: it is not served. An operator must look into it.',
    ),
  fileErased: () =>
    new CustosError(
      'gone',
      'exports.file_erased',
      'The file of this export carried a data subject who was erased since: its key was destroyed and it can no longer be opened. Its log entry stays. Ask for the export again.',
    ),
} as const;

/** Codes an export ends `failed` with (besides the codes of the source's own refusals). */
export const EXPORT_FAILURES = {
  /** The requester no longer holds the `export` privilege. */
  privilegeLost: 'exports.privilege_lost',
  /**
   * It needs approval with what it holds when it runs (sensitive data, more rows than the
   * threshold) and its own approval request is not approved, or it skipped approval and the
   * requester may no longer skip it.
   */
  approvalNeeded: 'exports.approval_needed',
  /** Its runs were interrupted (a server stopped mid-export) more often than it is retried. */
  interrupted: 'exports.interrupted',
  /** An unexpected error (logged with the export id). */
  unexpected: 'exports.unexpected_error',
} as const;
