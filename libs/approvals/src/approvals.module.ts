import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApprovalExpiry } from './approval-expiry';
import { ApprovalNotifications } from './approval-notifications';
import { APPROVAL_ENTITIES } from './approvals.entities';
import {
  ApprovalsConfigurableModule,
  type APPROVALS_OPTIONS_TYPE,
} from './approvals.module-definition';
import { Approvals } from './approvals.service';

/**
 * Generic approval requests. Import once with `ApprovalsModule.forRoot()` next to
 * `CoreModule.forRoot()`, `AuditModule.forRoot(...)` and a DataSource holding `APPROVAL_ENTITIES`;
 * features register their `ApprovalKind` with `Approvals.register` at module init.
 * Mounts no routes: features expose their own.
 */
@Module({
  imports: [TypeOrmModule.forFeature(APPROVAL_ENTITIES)],
  providers: [Approvals, ApprovalNotifications, ApprovalExpiry],
  exports: [Approvals],
})
export class ApprovalsModule extends ApprovalsConfigurableModule {
  /** Every option has a default, so `ApprovalsModule.forRoot()` is enough. */
  static override forRoot(options: typeof APPROVALS_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
