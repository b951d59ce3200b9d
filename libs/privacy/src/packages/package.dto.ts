import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PagingDto } from '@custos/core';
import { LookupFieldDto } from '../http/lookup.dto';
import {
  PACKAGE_RECIPIENTS,
  PACKAGE_STATES,
  type PackageRecipient,
  type PackageState,
} from './privacy-package.entity';

const ID = '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e';
const AT = '2026-12-05T18:00:00.000Z';
/** Items one redaction names at most. */
export const MAX_REDACTED_ITEMS = 1000;

export class PackageDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: ID }) requestId!: string;
  @ApiProperty({ enum: PACKAGE_STATES, example: 'review' }) state!: PackageState;
  @ApiProperty({
    example: 42,
    nullable: true,
    type: Number,
    description: 'Places found (redacted ones included); `null` while the first build runs.',
  })
  items!: number | null;
  @ApiProperty({ example: 1 }) redactions!: number;
  @ApiProperty({
    example: 'a3f1…',
    nullable: true,
    type: String,
    description: 'SHA-256 of the ZIP as it downloads.',
  })
  sha256!: string | null;
  @ApiProperty({ example: 18220, nullable: true, type: Number }) size!: number | null;
  @ApiProperty({ enum: PACKAGE_RECIPIENTS, nullable: true, example: null })
  releasedTo!: PackageRecipient | null;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: "Until when the subject's link works.",
  })
  expiresAt!: string | null;
  @ApiProperty({ example: false, description: 'Whether the subject used the link.' })
  downloaded!: boolean;
  @ApiProperty({ example: AT }) createdAt!: string;
  @ApiProperty({ example: AT }) updatedAt!: string;
}

export class PackageItemDto {
  @ApiProperty({ example: `crm.contact:${ID}`, description: 'The item (to redact it).' })
  id!: string;
  @ApiProperty({ example: 'crm.contact' }) source!: string;
  @ApiProperty({ example: 'crm_contact' }) table!: string;
  @ApiProperty({ example: ID }) rowId!: string;
  @ApiProperty({ example: false }) bySubject!: boolean;
  @ApiProperty({ example: false, description: 'Left out of the package by a redaction.' })
  redacted!: boolean;
  @ApiProperty({
    type: [LookupFieldDto],
    description: 'Values as you may see them; `withheld` where you may not.',
  })
  fields!: LookupFieldDto[];
}

export class PackageItemPageDto {
  @ApiProperty({ type: [PackageItemDto] }) results!: PackageItemDto[];
  @ApiProperty({ type: PagingDto }) paging!: PagingDto;
}

export class RedactItemsDto {
  @ApiProperty({ type: [String], example: [`crm.property_history:${ID}`] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REDACTED_ITEMS)
  @IsString({ each: true })
  itemIds!: string[];

  @ApiProperty({
    example: 'Names another customer (Art. 15(4))',
    description: 'Kept with the package; never written to the audit log.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

export class ReleasePackageDto {
  @ApiProperty({
    enum: PACKAGE_RECIPIENTS,
    example: 'subject',
    description:
      '`subject`: a single-use link, valid for a limited time, mailed to the request’s verified address; `staff`: downloaded through the API by an operator, who hands it over.',
  })
  @IsIn(PACKAGE_RECIPIENTS)
  to!: PackageRecipient;
}
