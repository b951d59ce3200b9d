import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { PagingDto } from '@custos/core';

export class TeamDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000002' })
  id!: string;

  @ApiProperty({ example: 'Northern Europe' })
  name!: string;

  @ApiProperty({ example: 'Sales team for the Nordics and the Baltics' })
  description!: string;

  @ApiProperty({ example: 12, description: 'Number of members.' })
  memberCount!: number;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  updatedAt!: string;
}

export class TeamPageDto {
  @ApiProperty({ type: [TeamDto] })
  results!: TeamDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export class CreateTeamDto {
  @ApiProperty({ example: 'Northern Europe', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'Sales team for the Nordics and the Baltics', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class UpdateTeamDto {
  @ApiPropertyOptional({ example: 'Nordics', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'Sales team for the Nordics', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class TeamMembersDto {
  @ApiProperty({
    type: [String],
    description: 'Users of this account to add.',
    example: ['0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e'],
  })
  @IsUUID('all', { each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  userIds!: string[];
}

export class TeamMemberDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  userId!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  displayName!: string;
}

export class TeamMemberPageDto {
  @ApiProperty({ type: [TeamMemberDto] })
  results!: TeamMemberDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
