import { AuditChainHead } from './audit-chain-head.entity';
import { AuditEvent } from './audit-event.entity';

/** The entities of `@custos/audit`: add them to the host's DataSource (and its migrations). */
export const AUDIT_ENTITIES: [typeof AuditEvent, typeof AuditChainHead] = [
  AuditEvent,
  AuditChainHead,
];
