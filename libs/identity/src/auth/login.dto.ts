import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../users/user.dto';

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;

  @ApiPropertyOptional({
    description: 'Required when you belong to several accounts.',
    example: '0193a6c4-7f1e-7c3a-9d1e-000000000010',
  })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

export class AccessTokenDto {
  @ApiProperty({
    description: 'Paste into Swagger\'s "Authorize" dialog (bearer).',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2MiOiIwMTkzIn0.c2lnbmF0dXJl',
  })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires.', example: 900 })
  expiresIn!: number;

  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000010' })
  accountId!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({ example: 'a much longer passphrase than before' })
  @IsString()
  @Length(12, PASSWORD_MAX_LENGTH)
  newPassword!: string;
}
