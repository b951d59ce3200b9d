import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogReader } from './audit-log-reader';
import { AUDIT_ENTITIES } from './audit.entities';
import { AuditConfigurableModule } from './audit.module-definition';
import { AuditService } from './audit.service';
import { AuditCheckpointer } from './witness/audit-checkpointer';

/**
 * The append-only, hash-chained audit log. Import once with `AuditModule.forRoot({ signingKey })`
 * next to `CoreModule.forRoot()` and `TypeOrmModule.forRoot({ entities: [...AUDIT_ENTITIES] })`.
 * Mounts no routes: import {@link AuditHttpModule} for the REST API.
 */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditService, AuditLogReader, AuditCheckpointer],
  exports: [AuditService, AuditLogReader, AuditCheckpointer],
})
export class AuditModule extends AuditConfigurableModule {}
