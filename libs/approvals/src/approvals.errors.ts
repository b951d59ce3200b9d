import { CustosError } from '@custos/core';
import type { ApprovalState } from './approval.types';

/** The errors of `@custos/approvals`; codes are stable, details say what to do. */
export const ApprovalErrors = {
  invalidField: (field: string, message: string) =>
    CustosError.invalidField('approvals.invalid_input', field, message),
  notAnEligibleApprover: (field: string) =>
    CustosError.invalidField(
      'approvals.not_an_eligible_approver',
      field,
      'is not a user who may decide this request (you cannot name yourself)',
    ),
  reasonRequired: () =>
    CustosError.invalidField(
      'approvals.reason_required',
      'reason',
      'say why the request is rejected (1 to 1000 characters)',
    ),
  personOnly: () =>
    new CustosError(
      'forbidden',
      'approvals.person_only',
      'Approval requests are made and decided by a member of the account in person, not by an API key, a partner or support session, or a background job.',
    ),
  ownRequest: () =>
    new CustosError(
      'forbidden',
      'approvals.own_request',
      'Nobody decides their own request: another approver must approve or reject it (you may revoke it).',
    ),
  notAnApprover: () =>
    new CustosError(
      'forbidden',
      'approvals.not_an_approver',
      'Only an approver of this kind may open a request on behalf of someone outside the account.',
    ),
  notRequester: () =>
    new CustosError(
      'forbidden',
      'approvals.not_requester',
      'Only the user who made the request may revoke it.',
    ),
  notFound: () => CustosError.notFound('approvals.not_found', 'The approval request'),
  noApprover: () =>
    new CustosError(
      'conflict',
      'approvals.no_approver',
      'Nobody but you may approve this request, so it cannot be made: ask a super admin to give another user the right to approve it.',
    ),
  alreadyPending: () =>
    new CustosError(
      'conflict',
      'approvals.already_pending',
      'A request for this is already pending: wait for its decision, or revoke it first.',
    ),
  alreadyDecided: (state: ApprovalState) =>
    new CustosError(
      'conflict',
      'approvals.already_decided',
      `The request was already decided (${state}); a decision is taken once.`,
      { extensions: { state } },
    ),
  expired: () =>
    new CustosError(
      'conflict',
      'approvals.expired',
      'The request has expired and can no longer be decided or revoked: make a new request.',
      { extensions: { state: 'expired' } },
    ),
} as const;
