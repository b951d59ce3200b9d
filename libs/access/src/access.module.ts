import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessConfigurableModule } from './access.module-definition';
import { AccessVersion } from './abilities/access-version.entity';
import { AccessService } from './abilities/access.service';
import { FieldPermission } from './field-permissions/field-permission.entity';
import { RoleAssignment } from './roles/role-assignment.entity';
import { Role } from './roles/role.entity';
import { RecordRule } from './rules/record-rule.entity';

/** Every entity of `@custos/access`, for the host's DataSource and migrations. */
export const ACCESS_ENTITIES = [Role, RoleAssignment, RecordRule, FieldPermission, AccessVersion];

/**
 * Roles, record rules and field permissions compiled into CASL abilities per actor. Needs
 * `CoreModule`, a TypeORM connection with {@link ACCESS_ENTITIES}, and a provider of
 * `ACCESS_DIRECTORY` somewhere in the app. Pass `AccessService` to `CoreModule` as its
 * privilege resolver so that `@RequirePrivilege` routes follow the roles.
 */
@Module({
  imports: [TypeOrmModule.forFeature(ACCESS_ENTITIES)],
  providers: [AccessService],
  exports: [AccessService],
})
export class AccessModule extends AccessConfigurableModule {}
