import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { TASK_PRIVILEGE_LIST_SCHEMA, type ActorKind, type TaskPrivilege } from '@custos/core';

export class MeActorDto {
  @ApiProperty({
    enum: ['user', 'private_app', 'partner_admin', 'support', 'system', 'provisioning'],
    example: 'user',
  })
  kind!: ActorKind;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  label!: string;
}

export class NamedRefDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000002' })
  id!: string;

  @ApiProperty({ example: 'Northern Europe' })
  name!: string;
}

export class MeUserDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName!: string;
}

export class MeDto {
  @ApiProperty({ type: MeActorDto })
  actor!: MeActorDto;

  @ApiProperty({ type: NamedRefDto, description: 'The account of this token.' })
  account!: NamedRefDto;

  @ApiPropertyOptional({
    type: MeUserDto,
    description: "The person (for private apps: the key's creator).",
  })
  user?: MeUserDto;

  @ApiProperty({ example: true })
  superAdmin!: boolean;

  @ApiPropertyOptional({ type: NamedRefDto })
  businessUnit?: NamedRefDto;

  @ApiProperty({ type: [NamedRefDto] })
  teams!: NamedRefDto[];

  @ApiProperty({
    ...TASK_PRIVILEGE_LIST_SCHEMA,
    description: 'Task privileges you hold in this account.',
    example: ['manage_users', 'view_audit_log'],
  })
  privileges!: TaskPrivilege[];
}

export class UpdateMeDto {
  @ApiProperty({
    description: 'Your name, as every account you belong to shows it.',
    example: 'Ada King',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200)
  displayName!: string;
}
