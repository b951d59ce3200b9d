export { TestApprovalKind } from './test-approval-kind';
export { createApprovalsTestApp, personActor, type ApprovalsTestApp } from './approvals-test-app';
