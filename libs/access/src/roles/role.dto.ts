import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  NestedArray,
  PagingDto,
  TASK_PRIVILEGES,
  TASK_PRIVILEGE_LIST_SCHEMA,
  type TaskPrivilege,
} from '@custos/core';
import { ACCESS_LEVELS, type AccessLevel } from '../access.types';
import { RECORD_ACTIONS, type RecordAction } from '../conditions/access-ability';

export class ObjectPrivilegeDto {
  @ApiProperty({ example: 'contacts' })
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  objectType!: string;

  @ApiProperty({ enum: RECORD_ACTIONS, example: 'read' })
  @IsIn(RECORD_ACTIONS)
  action!: RecordAction;

  @ApiProperty({ enum: ACCESS_LEVELS, example: 'team' })
  @IsIn(ACCESS_LEVELS)
  level!: AccessLevel;
}

const PRIVILEGES_EXAMPLE = [
  { objectType: 'contacts', action: 'read', level: 'team' },
  { objectType: 'contacts', action: 'update', level: 'own' },
];

export class RoleDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  id!: string;

  @ApiProperty({ example: 'Sales rep (Northern Europe)' })
  name!: string;

  @ApiProperty({ example: "Reads the team's contacts, edits their own" })
  description!: string;

  @ApiProperty({ type: [ObjectPrivilegeDto], example: PRIVILEGES_EXAMPLE })
  privileges!: ObjectPrivilegeDto[];

  @ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['export'] })
  taskPrivileges!: TaskPrivilege[];

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class RolePageDto {
  @ApiProperty({ type: [RoleDto] })
  results!: RoleDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateRoleDto {
  @ApiProperty({ example: 'Sales rep (Northern Europe)' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: "Reads the team's contacts, edits their own" })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({
    type: [ObjectPrivilegeDto],
    description: 'Record privileges; at most one level per object type and action.',
    example: PRIVILEGES_EXAMPLE,
  })
  @ArrayMaxSize(200)
  @NestedArray(() => ObjectPrivilegeDto)
  privileges!: ObjectPrivilegeDto[];

  @ApiProperty({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['export'] })
  @IsArray()
  @IsIn(TASK_PRIVILEGES, { each: true })
  @ArrayUnique()
  taskPrivileges!: TaskPrivilege[];
}

export class UpdateRoleDto {
  @ApiPropertyOptional({ example: 'Sales rep' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: "Reads the team's contacts" })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ type: [ObjectPrivilegeDto], example: PRIVILEGES_EXAMPLE })
  @IsOptional()
  @ArrayMaxSize(200)
  @NestedArray(() => ObjectPrivilegeDto)
  privileges?: ObjectPrivilegeDto[];

  @ApiPropertyOptional({ ...TASK_PRIVILEGE_LIST_SCHEMA, example: ['export', 'import'] })
  @IsOptional()
  @IsArray()
  @IsIn(TASK_PRIVILEGES, { each: true })
  @ArrayUnique()
  taskPrivileges?: TaskPrivilege[];
}

export class AssignmentDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000041' })
  id!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  roleId!: string;

  @ApiProperty({ enum: ['user', 'team'], example: 'team' })
  principalType!: 'user' | 'team';

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000002' })
  principalId!: string;
}

export class AssignmentListDto {
  @ApiProperty({ type: [AssignmentDto] })
  results!: AssignmentDto[];
}

export class CreateAssignmentDto {
  @ApiProperty({
    enum: ['user', 'team'],
    description: 'Team members inherit the role.',
    example: 'team',
  })
  @IsIn(['user', 'team'])
  principalType!: 'user' | 'team';

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000002' })
  @IsString()
  @Length(1, 36)
  principalId!: string;
}
