export {
  APPROVAL_STATES,
  type ApprovalState,
  type ApprovalView,
  type ApprovalKind,
  type ApprovalRequestInput,
} from './approval.types';
export { ApprovalsModule } from './approvals.module';
export {
  APPROVALS_MODULE_OPTIONS,
  ApprovalsModuleOptions,
  type ApprovalsModuleExtras,
} from './approvals.module-definition';
export { Approvals } from './approvals.service';
export { ApprovalErrors } from './approvals.errors';
export { APPROVAL_EXPIRY_SCHEDULE } from './approval-expiry';
export {
  APPROVAL_REQUESTED,
  APPROVAL_DECIDED,
  type ApprovalNotificationFields,
} from './approval-notifications';
export { ApprovalRequest } from './approval-request.entity';
export { APPROVAL_ENTITIES } from './approvals.entities';
export { APPROVAL_MIGRATIONS } from './migrations';
export { ApprovalDto, RejectApprovalDto, toApprovalDto } from './approval.dto';
