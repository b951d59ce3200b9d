import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class AccountDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000010' })
  id!: string;

  @ApiProperty({ example: 'Demo' })
  name!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;
}

export class MyAccountDto extends AccountDto {
  @ApiProperty({ description: 'Whether you are a super admin there.', example: true })
  superAdmin!: boolean;
}

export class AccountNameDto {
  @ApiProperty({ example: 'Acme Europe', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;
}
