import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogController } from './audit-log.controller';
import { AuditLogReader } from './audit-log-reader';
import { AUDIT_ENTITIES } from './audit.entities';
import {
  AUDIT_ASYNC_OPTIONS_TYPE,
  AUDIT_OPTIONS_TYPE,
  AuditConfigurableModule,
  type AuditModuleExtras,
} from './audit.module-definition';
import { AuditService } from './audit.service';
import { AuditCheckpointer } from './witness/audit-checkpointer';

function withController(module: DynamicModule, extras: AuditModuleExtras): DynamicModule {
  return {
    ...module,
    controllers: extras.registerController === false ? [] : [AuditLogController],
  };
}

/**
 * The append-only, hash-chained audit log. Import once with `AuditModule.forRoot({ signingKey })`
 * next to `CoreModule.forRoot()` and `TypeOrmModule.forRoot({ entities: [...AUDIT_ENTITIES] })`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
  providers: [AuditService, AuditLogReader, AuditCheckpointer],
  exports: [AuditService, AuditLogReader, AuditCheckpointer],
})
export class AuditModule extends AuditConfigurableModule {
  static override forRoot(options: typeof AUDIT_OPTIONS_TYPE): DynamicModule {
    return withController(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof AUDIT_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withController(super.forRootAsync(options), options);
  }
}
