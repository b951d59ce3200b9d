import { ApiProperty } from '@nestjs/swagger';

/** An integration or webhook allowed to receive sensitive properties. */
export class SensitiveDataIntegrationDto {
  @ApiProperty({ example: 'billing-sync', pattern: '^[a-z][a-z0-9_-]{0,63}$' })
  name!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  enabledAt!: string;

  @ApiProperty({
    example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
    description: 'The super admin who enabled it.',
  })
  enabledBy!: string;
}

export class SensitiveDataIntegrationListDto {
  @ApiProperty({ type: [SensitiveDataIntegrationDto] })
  results!: SensitiveDataIntegrationDto[];
}
