import { ApprovalRequest } from './approval-request.entity';

/** The entities of `@custos/approvals`: add them to the host's DataSource (and its migrations). */
export const APPROVAL_ENTITIES: [typeof ApprovalRequest] = [ApprovalRequest];
