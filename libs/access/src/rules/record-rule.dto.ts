import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { RECORD_ACTIONS, type RecordAction } from '../conditions/access-ability';
import type { Condition } from '../conditions/condition-language';

const CONDITION_EXAMPLE = {
  country: { $in: ['DE', 'AT', 'CH'] },
  lifecyclestage: { $ne: 'customer' },
};

export class RecordRuleDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000050' })
  id!: string;

  @ApiProperty({ example: 'DACH prospects only' })
  name!: string;

  @ApiProperty({ example: 'contacts' })
  objectType!: string;

  @ApiProperty({ enum: RECORD_ACTIONS, isArray: true, example: ['read', 'update'] })
  actions!: RecordAction[];

  @ApiProperty({ enum: ['restrict', 'deny'], example: 'restrict' })
  effect!: 'restrict' | 'deny';

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The role whose holders it binds; null: everyone.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000040',
  })
  roleId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The condition. A field the reader may not read shows `{ "$redacted": true }` in place of what it is tested against.',
    example: CONDITION_EXAMPLE,
  })
  condition!: Condition;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class RecordRuleListDto {
  @ApiProperty({ type: [RecordRuleDto] })
  results!: RecordRuleDto[];
}

export class CreateRecordRuleDto {
  @ApiProperty({ example: 'DACH prospects only' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'contacts' })
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  objectType!: string;

  @ApiProperty({ enum: RECORD_ACTIONS, isArray: true, example: ['read', 'update'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(RECORD_ACTIONS, { each: true })
  actions!: RecordAction[];

  @ApiProperty({
    enum: ['restrict', 'deny'],
    description:
      "restrict: a role's rules are OR'ed and narrow its grants; account-wide ones (no role) are AND'ed over everyone. deny: matching records are forbidden whatever grants them.",
    example: 'restrict',
  })
  @IsIn(['restrict', 'deny'])
  effect!: 'restrict' | 'deny';

  @ApiPropertyOptional({
    description: 'The role whose holders the rule binds; omit for an account-wide rule.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000040',
  })
  @IsOptional()
  @IsUUID()
  roleId?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'MongoDB-style condition: $eq $ne $in $nin $lt $lte $gt $gte $exists $and $or $not; placeholders $user.id, $user.teamIds, $user.teamMemberIds, $user.businessUnitIds, $user.businessUnitTreeIds. Sensitive (encrypted) properties cannot be tested.',
    example: CONDITION_EXAMPLE,
  })
  @IsObject()
  condition!: Condition;
}
