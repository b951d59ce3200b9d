import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PagingDto } from '@custos/core';

export class ProvisioningTokenDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000007' })
  id!: string;

  @ApiProperty({ example: 'Okta' })
  name!: string;

  @ApiProperty({
    description: 'First characters of the token, to tell tokens apart.',
    example: 'cps_0193a6c',
  })
  hint!: string;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  createdByUserId!: string;

  @ApiProperty({ example: '2026-12-05T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-12-05T19:02:00.000Z' })
  lastUsedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  revokedAt!: string | null;
}

export class CreatedProvisioningTokenDto extends ProvisioningTokenDto {
  @ApiProperty({
    description:
      'The token itself. Shown only in this response: paste it into the identity provider (Okta: "API Token"; Entra ID: "Secret Token") with the SCIM base URL `<server>/scim/v2`.',
    example: 'cps_0193a6c47f1e7c3a9d1e000000000007_Qm9ndXMgdG9rZW4gZm9yIGRvY3VtZW50YXRpb24gb25seQ',
  })
  token!: string;
}

export class ProvisioningTokenPageDto {
  @ApiProperty({ type: [ProvisioningTokenDto] })
  results!: ProvisioningTokenDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateProvisioningTokenDto {
  @ApiProperty({
    description: 'Which identity provider uses it.',
    example: 'Okta',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200)
  name!: string;
}
