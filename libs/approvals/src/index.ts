export {
  APPROVAL_STATES,
  type ApprovalState,
  type ApprovalView,
  type ApprovalKind,
} from './approval.types';
