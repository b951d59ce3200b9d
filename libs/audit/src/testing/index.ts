export { readAuditEvents, readAuditActions } from './read-audit-events';
