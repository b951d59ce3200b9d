import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import {
  NestedArray,
  TASK_PRIVILEGES,
  TASK_PRIVILEGE_LIST_SCHEMA,
  type TaskPrivilege,
} from '@custos/core';
import { RECORD_ACTIONS, type RecordAction } from '../conditions/access-ability';
import { ObjectPrivilegeDto } from '../roles/role.dto';

export class ExplainDto {
  @ApiProperty({
    description: 'The user whose access to explain.',
    example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
  })
  @IsUUID()
  userId!: string;

  @ApiProperty({ enum: RECORD_ACTIONS, example: 'read' })
  @IsIn(RECORD_ACTIONS)
  action!: RecordAction;

  @ApiProperty({ example: 'contacts' })
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  objectType!: string;

  @ApiPropertyOptional({
    description:
      'A record; without it the answer is about records of the type in general. A record you may not read answers 404 like a missing one.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000031',
  })
  @IsOptional()
  @IsUUID()
  recordId?: string;

  @ApiPropertyOptional({
    description:
      'A property, for field-level access. A property you may not read answers 422 like an unknown one.',
    example: 'email',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,99}$/)
  property?: string;
}

export class DecisionDto {
  @ApiProperty({
    enum: ['super_admin', 'role', 'deny_rule', 'field_permission', 'no_grant'],
    example: 'role',
  })
  kind!: 'super_admin' | 'role' | 'deny_rule' | 'field_permission' | 'no_grant';

  @ApiPropertyOptional({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  roleId?: string;

  @ApiPropertyOptional({ example: 'team' })
  level?: string;

  @ApiPropertyOptional({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000050' })
  ruleId?: string;

  @ApiPropertyOptional({ example: 'email' })
  property?: string;
}

export class ExplanationDto {
  @ApiProperty({ example: true })
  allowed!: boolean;

  @ApiProperty({ type: DecisionDto })
  decidedBy!: DecisionDto;

  @ApiProperty({
    example: 'Role 0193… grants read on contacts at level team, and the record matches.',
  })
  detail!: string;
}

export class PreviewDto {
  @ApiProperty({
    description: 'The role to change.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000040',
  })
  @IsUUID()
  roleId!: string;

  @ApiPropertyOptional({
    type: [ObjectPrivilegeDto],
    description: 'Proposed record privileges (default: unchanged).',
    example: [{ objectType: 'contacts', action: 'read', level: 'account' }],
  })
  @IsOptional()
  @ArrayMaxSize(200)
  @NestedArray(() => ObjectPrivilegeDto)
  privileges?: ObjectPrivilegeDto[];

  @ApiPropertyOptional({
    ...TASK_PRIVILEGE_LIST_SCHEMA,
    description: 'Proposed task privileges (default: unchanged).',
    example: ['export'],
  })
  @IsOptional()
  @IsArray()
  @IsIn(TASK_PRIVILEGES, { each: true })
  taskPrivileges?: TaskPrivilege[];
}

export class ChangeSetDto {
  @ApiProperty({ type: [String], example: ['read contacts at account'] })
  privileges!: string[];

  @ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['export'] })
  taskPrivileges!: TaskPrivilege[];
}

export class UserChangeDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  userId!: string;

  @ApiProperty({ type: ChangeSetDto })
  gains!: ChangeSetDto;

  @ApiProperty({ type: ChangeSetDto })
  loses!: ChangeSetDto;
}

export class PreviewResultDto {
  @ApiProperty({
    type: [UserChangeDto],
    description: 'Holders of the role whose rights would change.',
  })
  users!: UserChangeDto[];
}

export class PermissionsDto {
  @ApiProperty({ example: false })
  superAdmin!: boolean;

  @ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['export'] })
  taskPrivileges!: TaskPrivilege[];

  @ApiProperty({
    description: 'CASL rules in packed form (`@casl/ability/extra` unpackRules), for UIs.',
    example: [['read', 'contacts', { ownerId: { $in: ['0193…'] } }]],
  })
  rules!: unknown[];
}
