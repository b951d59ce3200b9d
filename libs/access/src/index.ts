export { ACCESS_PRIVILEGES, type AccessPrivilege } from './access.privileges';
export {
  COMPOUND_OPERATORS,
  FIELD_OPERATORS,
  conditionFields,
  prepareCondition,
  subjectFields,
  validateCondition,
  type ActorFacts,
  type Condition,
  type FieldOperator,
  type FieldType,
} from './conditions/condition-language';
export {
  RECORD_ACTIONS,
  createAccessAbility,
  type AccessAbility,
  type AccessRule,
  type RecordAction,
} from './conditions/access-ability';
export {
  accessibleBy,
  accessScope,
  type AccessibleByOptions,
  type SqlCondition,
} from './query/accessible-by';
export { AccessModule, ACCESS_ENTITIES } from './access.module';
export { AccessHttpModule } from './access-http.module';
export { ACCESS_MODULE_OPTIONS, type AccessModuleOptions } from './access.module-definition';
export {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  READABLE_FIELDS,
  type ReadableFields,
  type AccessDirectory,
  type AccessSubjects,
  type DirectoryMember,
} from './access.ports';
export {
  ACCESS_LEVELS,
  PRINCIPAL_TYPES,
  OWNER_FIELD,
  BUSINESS_UNIT_FIELD,
  type AccessLevel,
  type ObjectPrivilege,
  type PrincipalType,
} from './access.types';
export { AccessService, type AccountAccess } from './abilities/access.service';
export { DelegationCheck } from './delegation/delegation-check';
export { accessGains, type AccessGain } from './delegation/access-gains';
export {
  buildAccess,
  levelCondition,
  SUPPORT_TASK_PRIVILEGES,
  type AccessInputs,
} from './abilities/build-access';
export type { ActorAccess, FieldAccess } from './abilities/actor-access';
export { AccessVersion, accessVersionSql } from './abilities/access-version.entity';
export { Role } from './roles/role.entity';
export { RoleAssignment } from './roles/role-assignment.entity';
export { RecordRule } from './rules/record-rule.entity';
export { FieldPermission } from './field-permissions/field-permission.entity';
export { AccessErrors } from './access.errors';
export { RoleService } from './roles/role.service';
export { RecordRuleService } from './rules/record-rule.service';
export { FieldPermissionService } from './field-permissions/field-permission.service';
export { ExplainService } from './explain/explain.service';
export { FieldReadability } from './fields/field-readability';
export { assertWithinCeiling } from './roles/grant-ceiling';
export {
  RoleDto,
  RolePageDto,
  CreateRoleDto,
  UpdateRoleDto,
  ObjectPrivilegeDto,
  AssignmentDto,
  AssignmentListDto,
  CreateAssignmentDto,
} from './roles/role.dto';
export { RecordRuleDto, RecordRuleListDto, CreateRecordRuleDto } from './rules/record-rule.dto';
export { FieldPermissionsDto, PrincipalDto } from './field-permissions/field-permission.dto';
export {
  ExplainDto,
  ExplanationDto,
  DecisionDto,
  PreviewDto,
  PreviewResultDto,
  PermissionsDto,
} from './explain/explain.dto';
export { ACCESS_MIGRATIONS } from './migrations';
