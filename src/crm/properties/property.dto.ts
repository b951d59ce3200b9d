import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATA_CATEGORIES } from '@custos/privacy';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsNotIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { FORBIDDEN_KEYS, NestedArray, NestedObject } from '@custos/core';
import {
  INDEX_STATES,
  PROPERTY_TYPES,
  SENSITIVE_ACCESS,
  type IndexState,
  type PropertyType,
  type SensitiveAccess,
} from '../kernel';

const DATA_CATEGORY_DESCRIPTION =
  'Custom properties: the fideslang data category of the personal data the values hold (the personal-data registry and the register of processing activities list it); absent or `null`: none.';
const INDEXED_DESCRIPTION =
  'Custom properties only: keeps an index on the value so that `eq`/`in` filters and sorts on it do not scan the records. Not for sensitive or file properties. On PostgreSQL the index is built in the background (`indexState`); unmarking or deleting the property drops it.';

export const PROPERTY_NAME_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;

export class EnumerationOptionDto {
  @ApiProperty({ example: 'gold' })
  @IsString()
  @Length(1, 100)
  value!: string;

  @ApiProperty({ example: 'Gold' })
  @IsString()
  @Length(1, 200)
  label!: string;
}

export class ScoreRuleDto {
  @ApiProperty({ example: 'lifecyclestage' })
  @Matches(PROPERTY_NAME_PATTERN)
  propertyName!: string;

  @ApiProperty({ enum: ['eq', 'neq', 'gt', 'lt', 'has_property'], example: 'eq' })
  @IsIn(['eq', 'neq', 'gt', 'lt', 'has_property'])
  operator!: 'eq' | 'neq' | 'gt' | 'lt' | 'has_property';

  @ApiPropertyOptional({
    example: 'customer',
    description: 'Compared value (not for has_property).',
  })
  @IsOptional()
  value?: string | number | boolean;

  @ApiProperty({ example: 10 })
  @IsNumber()
  points!: number;
}

/** A score rule as shown: its value is left out for readers who may not read the property it tests. */
export class ScoreRuleViewDto extends ScoreRuleDto {
  @ApiPropertyOptional({
    example: true,
    description:
      'Present (true) when you may not read the tested property: `value` is then left out, so a definition never quotes a value you may not read.',
  })
  valueRedacted?: boolean;
}

export class SensitivityDto {
  @ApiProperty({ example: false, description: 'Holds protected health information.' })
  @IsOptional()
  @IsBoolean()
  phi!: boolean;

  @ApiProperty({
    example: false,
    description:
      'Masked in lists and records; revealed one record at a time (POST …/reveal), each reveal audited.',
  })
  @IsOptional()
  @IsBoolean()
  highlySensitive!: boolean;

  @ApiProperty({
    enum: SENSITIVE_ACCESS,
    example: 'everyone',
    description:
      'Who may view and edit values: everyone, or super admins only; field permissions narrow it further.',
  })
  @IsOptional()
  @IsIn(SENSITIVE_ACCESS)
  access!: SensitiveAccess;
}

export class PropertyDefinitionDto {
  @ApiProperty({ example: 'loyalty_tier' })
  name!: string;

  @ApiProperty({ example: 'Loyalty tier' })
  label!: string;

  @ApiProperty({ example: 'contactinformation' })
  groupName!: string;

  @ApiProperty({ example: 'Tier in the loyalty programme' })
  description!: string;

  @ApiProperty({ enum: PROPERTY_TYPES, example: 'enumeration' })
  type!: PropertyType;

  @ApiProperty({ type: [EnumerationOptionDto] })
  options!: EnumerationOptionDto[];

  @ApiProperty({ example: false })
  unique!: boolean;

  @ApiProperty({ example: false })
  required!: boolean;

  @ApiProperty({
    description: 'Standard properties come with the object type: not deletable, not retypable.',
    example: false,
  })
  standard!: boolean;

  @ApiProperty({
    description: 'Computed by the system (score, calculation, create and modification dates).',
    example: false,
  })
  readOnly!: boolean;

  @ApiProperty({ nullable: true, type: String, example: null })
  formula!: string | null;

  @ApiProperty({ type: [ScoreRuleViewDto] })
  scoreRules!: ScoreRuleViewDto[];

  @ApiProperty({
    type: SensitivityDto,
    nullable: true,
    description: 'Set on sensitive properties: their values are encrypted. Fixed at creation.',
    example: null,
  })
  sensitivity!: SensitivityDto | null;

  @ApiProperty({ description: INDEXED_DESCRIPTION, example: true })
  indexed!: boolean;

  @ApiProperty({
    enum: INDEX_STATES,
    nullable: true,
    description:
      'The index of an `indexed` property: `building` (filters work, without it, until it is `ready`), `ready`, or `failed` (send `indexed: true` again to retry); `null` when not indexed.',
    example: 'ready',
  })
  indexState!: IndexState | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: DATA_CATEGORY_DESCRIPTION,
    example: 'user.contact.phone_number',
  })
  dataCategory?: string | null;
}

export class PropertyListDto {
  @ApiProperty({ type: [PropertyDefinitionDto] })
  results!: PropertyDefinitionDto[];
}

export class CreatePropertyDto {
  @ApiProperty({
    description: 'Internal name: snake_case, unique per object type.',
    example: 'loyalty_tier',
  })
  @Matches(PROPERTY_NAME_PATTERN, {
    message:
      'name must be snake_case: a lower-case letter, then letters, digits or _ (at most 100)',
  })
  // Values travel as keys of `properties` in bodies, where these keys are refused.
  @IsNotIn(FORBIDDEN_KEYS, { message: 'name must not be a reserved name (constructor, prototype)' })
  name!: string;

  @ApiProperty({ example: 'Loyalty tier' })
  @IsString()
  @Length(1, 200)
  label!: string;

  @ApiPropertyOptional({ example: 'contactinformation', default: 'custom' })
  @IsOptional()
  @Matches(PROPERTY_NAME_PATTERN)
  groupName?: string;

  @ApiPropertyOptional({ example: 'Tier in the loyalty programme' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({ enum: PROPERTY_TYPES, example: 'enumeration' })
  @IsIn(PROPERTY_TYPES)
  type!: PropertyType;

  @ApiPropertyOptional({
    type: [EnumerationOptionDto],
    description: 'Required for enumeration.',
    example: [{ value: 'gold', label: 'Gold' }],
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @NestedArray(() => EnumerationOptionDto)
  options?: EnumerationOptionDto[];

  @ApiPropertyOptional({
    description:
      "Values must be unique among the account's records (not for score or calculation).",
    default: false,
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  unique?: boolean;

  @ApiPropertyOptional({
    description: 'Every created record must have a value.',
    default: false,
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({
    description: 'Calculation only: arithmetic over number properties.',
    example: 'amount * probability / 100',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  formula?: string;

  @ApiPropertyOptional({
    type: [ScoreRuleDto],
    description: 'Score only: points per matching rule.',
    example: [{ propertyName: 'lifecyclestage', operator: 'eq', value: 'customer', points: 10 }],
  })
  @IsOptional()
  @ArrayMaxSize(100)
  @NestedArray(() => ScoreRuleDto)
  scoreRules?: ScoreRuleDto[];

  @ApiPropertyOptional({
    type: SensitivityDto,
    description:
      'Makes the property sensitive (super admins, enterprise edition, sensitive data enabled): values are encrypted. Cannot be changed later; not for score or calculation, not with `unique`.',
    example: { phi: true, highlySensitive: false, access: 'super_admins' },
  })
  @IsOptional()
  @NestedObject(() => SensitivityDto)
  sensitivity?: SensitivityDto;
  @ApiPropertyOptional({ description: INDEXED_DESCRIPTION, default: false, example: true })
  @IsOptional()
  @IsBoolean()
  indexed?: boolean;

  @ApiPropertyOptional({
    enum: DATA_CATEGORIES,
    description: DATA_CATEGORY_DESCRIPTION,
    example: 'user.contact.phone_number',
  })
  @IsOptional()
  @IsIn(DATA_CATEGORIES)
  dataCategory?: string;
}

export class UpdatePropertyDto {
  @ApiPropertyOptional({ example: 'Loyalty level' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;

  @ApiPropertyOptional({ example: 'contactinformation' })
  @IsOptional()
  @Matches(PROPERTY_NAME_PATTERN)
  groupName?: string;

  @ApiPropertyOptional({ example: 'Level in the loyalty programme' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    enum: PROPERTY_TYPES,
    description: 'Custom properties only, and only while no record has a value.',
    example: 'string',
  })
  @IsOptional()
  @IsIn(PROPERTY_TYPES)
  type?: PropertyType;

  @ApiPropertyOptional({
    type: [EnumerationOptionDto],
    example: [
      { value: 'gold', label: 'Gold' },
      { value: 'silver', label: 'Silver' },
    ],
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @NestedArray(() => EnumerationOptionDto)
  options?: EnumerationOptionDto[];

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({ example: 'amount * 2' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  formula?: string;

  @ApiPropertyOptional({
    type: [ScoreRuleDto],
    example: [{ propertyName: 'country', operator: 'eq', value: 'DE', points: 5 }],
  })
  @IsOptional()
  @ArrayMaxSize(100)
  @NestedArray(() => ScoreRuleDto)
  scoreRules?: ScoreRuleDto[];

  @ApiPropertyOptional({
    type: SensitivityDto,
    description:
      'Sensitive properties only: PHI, highly sensitive and access may change; whether a property is sensitive never does (sending `null` here, or a sensitivity for an ordinary property → 422).',
  })
  @IsOptional()
  @NestedObject(() => SensitivityDto)
  sensitivity?: SensitivityDto | null;
  @ApiPropertyOptional({ description: INDEXED_DESCRIPTION, example: true })
  @IsOptional()
  @IsBoolean()
  indexed?: boolean;

  @ApiPropertyOptional({
    enum: DATA_CATEGORIES,
    nullable: true,
    description: `${DATA_CATEGORY_DESCRIPTION} \`null\` clears it.`,
    example: 'user.contact.phone_number',
  })
  @IsOptional()
  @IsIn(DATA_CATEGORIES)
  dataCategory?: string | null;
}
