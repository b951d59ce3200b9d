export { AUDIT_PRIVILEGES, type AuditPrivilege } from './audit.privileges';
export { AuditModule } from './audit.module';
export { AuditHttpModule } from './audit-http.module';
export {
  AUDIT_MODULE_OPTIONS,
  AuditModuleOptions,
  type AuditModuleExtras,
} from './audit.module-definition';
export { AuditService } from './audit.service';
export { AuditLogReader } from './audit-log-reader';
export { AuditCheckpointer } from './witness/audit-checkpointer';
export type { AuditCheckpoint, AuditWitness } from './witness/audit-witness';
export { FileAuditWitness } from './witness/file-audit-witness';
export {
  WebhookAuditWitness,
  WEBHOOK_SIGNATURE_HEADER,
  signWebhookBody,
  type WebhookAuditWitnessOptions,
} from './witness/webhook-audit-witness';
export {
  AUDIT_METADATA_REDACTOR,
  HIDE_ALL_METADATA,
  redactMetadata,
  type AuditMetadataRedactor,
  type HiddenMetadata,
} from './audit-metadata-redactor';
export { AuditEvent } from './audit-event.entity';
export { AuditChainHead } from './audit-chain-head.entity';
export { AUDIT_ENTITIES } from './audit.entities';
export { AuditLogController } from './audit-log.controller';
export { AuditActorDto, AuditEventDto, AuditEventPageDto } from './audit-event.dto';
export { AuditLogQueryDto } from './audit-log-query.dto';
export { ChainVerificationDto } from './chain-verification.dto';
export { AuditErrors } from './audit.errors';
export { SECRET_METADATA_KEYS, type AuditMetadata } from './audit-metadata';
export {
  ERASED_ACTOR_LABEL,
  GENESIS_HASH,
  CHAIN_BREAK_REASONS,
  canonicalJson,
  hashLink,
  signHead,
  isHeadSignatureValid,
  type ChainBreakReason,
} from './hash-chain';
export { AUDIT_ACTOR_KINDS } from './audit.types';
export type {
  AuditActor,
  AuditActorKind,
  AuditEventFilters,
  AuditEventInput,
  AuditPageRequest,
  ChainVerification,
} from './audit.types';
export { AUDIT_MIGRATIONS } from './migrations';
