import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessConfigurableModule } from './access.module-definition';
import { AccessVersion } from './abilities/access-version.entity';
import { AccessService } from './abilities/access.service';
import { DelegationCheck } from './delegation/delegation-check';
import { FieldReadability } from './fields/field-readability';
import { ExplainService } from './explain/explain.service';
import { FieldPermissionService } from './field-permissions/field-permission.service';
import { RecordRuleService } from './rules/record-rule.service';
import { RoleService } from './roles/role.service';
import { FieldPermission } from './field-permissions/field-permission.entity';
import { RoleAssignment } from './roles/role-assignment.entity';
import { Role } from './roles/role.entity';
import { RecordRule } from './rules/record-rule.entity';

/** Every entity of `@custos/access`, for the host's DataSource and migrations. */
export const ACCESS_ENTITIES = [Role, RoleAssignment, RecordRule, FieldPermission, AccessVersion];

/**
 * Roles, record rules and field permissions compiled into CASL abilities per actor. Needs
 * `CoreModule`, `AuditModule`, a TypeORM connection with {@link ACCESS_ENTITIES}, and providers of
 * `ACCESS_DIRECTORY` (people) and `ACCESS_SUBJECTS` (object types) somewhere in the app. Pass `AccessService` to `CoreModule` as its
 * privilege resolver so that `@RequirePrivilege` routes follow the roles. Mounts no routes: import
 * {@link AccessHttpModule} for the REST API.
 */
@Module({
  imports: [TypeOrmModule.forFeature(ACCESS_ENTITIES)],
  providers: [
    AccessService,
    DelegationCheck,
    FieldReadability,
    RoleService,
    RecordRuleService,
    FieldPermissionService,
    ExplainService,
  ],
  exports: [
    AccessService,
    DelegationCheck,
    RoleService,
    RecordRuleService,
    FieldPermissionService,
    ExplainService,
  ],
})
export class AccessModule extends AccessConfigurableModule {}
