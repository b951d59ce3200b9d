import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KEY_ROTATION_STATUSES, type KeyRotationStatus } from '@custos/crypto';

export class KeyVersionDto {
  @ApiProperty({ example: 2 })
  version!: number;

  @ApiProperty({ example: true, description: 'Whether new values are sealed with this version.' })
  active!: boolean;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    example: 1250,
    description: 'Values sealed with this version now, across records and property history.',
  })
  values!: number;
}

export class KeyRotationDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f12' })
  id!: string;

  @ApiProperty({
    enum: KEY_ROTATION_STATUSES,
    example: 'running',
    description:
      '`running`: first pass over every value; `verifying`: passes repeated until one finds no value on an older key (values written meanwhile); `completed`; `failed` (see `error`).',
  })
  status!: KeyRotationStatus;

  @ApiProperty({ example: 2, description: 'The key version values are re-encrypted with.' })
  targetVersion!: number;

  @ApiProperty({ example: 800, description: 'Values re-encrypted so far.' })
  processed!: number;

  @ApiPropertyOptional({
    example: 1250,
    nullable: true,
    type: Number,
    description:
      'Values on older keys when the rotation began (an estimate: requests keep writing); `null` until counted.',
  })
  totalEstimate!: number | null;

  @ApiProperty({ example: 1, description: '1 for the first pass, then one per verification pass.' })
  pass!: number;

  @ApiProperty({
    example: 0,
    description:
      'Values on an older key that do not open (tampered or damaged), seen in the current pass; they keep their key.',
  })
  unreadable!: number;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  startedAt!: string;

  @ApiPropertyOptional({ example: null, nullable: true, type: String })
  finishedAt!: string | null;

  @ApiPropertyOptional({
    example: null,
    nullable: true,
    type: String,
    description: 'Why a `failed` rotation stopped.',
  })
  error!: string | null;
}

export class EncryptionStatusDto {
  @ApiPropertyOptional({
    example: 2,
    nullable: true,
    type: Number,
    description: 'Version new values are sealed with; `null` before the account has a key.',
  })
  activeVersion!: number | null;

  @ApiProperty({ type: KeyVersionDto, isArray: true })
  versions!: KeyVersionDto[];

  @ApiProperty({
    example: [2],
    type: Number,
    isArray: true,
    description:
      'Versions that still seal at least one value (older keys are kept while they do), ascending.',
  })
  versionsInUse!: number[];

  @ApiPropertyOptional({
    type: KeyRotationDto,
    nullable: true,
    description: 'The current or last rotation; `null` if there was none.',
  })
  rotation!: KeyRotationDto | null;
}
