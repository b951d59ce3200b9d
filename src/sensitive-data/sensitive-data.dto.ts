import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
} from 'class-validator';
import {
  SENSITIVE_DATA_CATEGORIES,
  type SensitiveDataCategory,
} from './sensitive-data-setting.entity';

export class SensitiveDataStatusDto {
  @ApiProperty({
    example: true,
    description: 'Once true, it stays true: enabling is irreversible.',
  })
  enabled!: boolean;

  @ApiProperty({
    enum: SENSITIVE_DATA_CATEGORIES,
    isArray: true,
    example: ['sensitive_personal_data', 'health_data'],
  })
  categories!: SensitiveDataCategory[];

  @ApiPropertyOptional({ example: '2026-11-22T18:42:00.000Z', nullable: true, type: String })
  enabledAt!: string | null;

  @ApiProperty({
    example: 'enterprise',
    description: 'Below `enterprise`, sensitive properties can only be deleted.',
  })
  edition!: string;
}

export class SensitiveDataCategoriesDto {
  @ApiProperty({
    enum: SENSITIVE_DATA_CATEGORIES,
    isArray: true,
    example: ['sensitive_personal_data', 'health_data'],
    description: 'The kinds of sensitive data the account will store.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SENSITIVE_DATA_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(SENSITIVE_DATA_CATEGORIES, { each: true })
  categories!: SensitiveDataCategory[];
}

export class EnableSensitiveDataDto extends SensitiveDataCategoriesDto {
  @ApiProperty({
    example: true,
    description:
      'Must be `true`: the super admin accepts the terms, and that enabling cannot be undone.',
  })
  @Equals(true, { message: 'acceptTerms must be true: enabling sensitive data cannot be undone' })
  acceptTerms!: boolean;
}

export class UpdateSensitiveDataDto {
  @ApiPropertyOptional({
    enum: SENSITIVE_DATA_CATEGORIES,
    isArray: true,
    example: ['sensitive_personal_data', 'health_data', 'financial_data'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SENSITIVE_DATA_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(SENSITIVE_DATA_CATEGORIES, { each: true })
  categories?: SensitiveDataCategory[];

  @ApiPropertyOptional({
    example: true,
    description:
      'Only `true` is possible: `false` is refused with 409 (the setting is irreversible).',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
