import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './audit.privileges';
import { AuditLogController } from './audit-log.controller';

/**
 * The REST API of `@custos/audit` (`audit-log`, `audit-log/verify`), for apps that want it. Paths
 * are relative: mount it under your prefix with
 * `RouterModule.register([{ path: 'api/v1', module: AuditHttpModule }])`. Needs
 * `AuditModule.forRoot` (global, the default).
 */
@Module({ controllers: [AuditLogController] })
export class AuditHttpModule {}
