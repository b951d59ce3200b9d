export { readAuditEvents, readAuditActions } from './read-audit-events';
export { listenForWebhook, storingWitness, type WebhookHandler } from './witness-webhook';
