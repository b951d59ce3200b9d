import { ApiProperty } from '@nestjs/swagger';
import type { SealedValueMismatch, SealedValuesVerification } from './sealed-values-verifier';

export class SealedValueMismatchDto implements SealedValueMismatch {
  @ApiProperty({ example: 'contacts' })
  objectType!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f12' })
  recordId!: string;

  @ApiProperty({ example: 'ssn' })
  property!: string;

  @ApiProperty({
    enum: ['differs', 'unaudited'],
    description:
      '`differs`: the stored sealed value is not the one the last audited write (or key rotation) left — an older envelope written back, or a write past the application; `unaudited`: no audited write of this value (also values written before digests were recorded, until the next key rotation).',
    example: 'differs',
  })
  reason!: 'differs' | 'unaudited';
}

export class SealedValuesVerificationDto implements SealedValuesVerification {
  @ApiProperty({
    description: 'True when every sealed value is the last one audited.',
    example: false,
  })
  valid!: boolean;

  @ApiProperty({ description: 'Sensitive values compared.', example: 1280 })
  valuesChecked!: number;

  @ApiProperty({ description: 'Values that differ from their audited digest.', example: 1 })
  mismatchCount!: number;

  @ApiProperty({
    type: SealedValueMismatchDto,
    isArray: true,
    description: 'The first 100 mismatches (ids and property names; never a value).',
  })
  mismatches!: SealedValueMismatchDto[];
}
