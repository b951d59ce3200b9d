import { PagingDto } from '@custos/core';
import { ApiProperty } from '@nestjs/swagger';
import type { AuditEvent } from './audit-event.entity';
import { AUDIT_ACTOR_KINDS, type AuditActorKind } from './audit.types';

export class AuditActorDto {
  @ApiProperty({ enum: AUDIT_ACTOR_KINDS, example: 'user' })
  kind!: AuditActorKind;

  @ApiProperty({
    description: 'User id, API key id, or `system`.',
    example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
  })
  id!: string;

  @ApiProperty({
    description: 'Email or key name at the time of the event.',
    example: 'ada@example.com',
  })
  label!: string;
}

/** One audit event as the API returns it. */
export class AuditEventDto {
  @ApiProperty({ example: '0193a6c4-8a2b-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;

  @ApiProperty({
    description: "Position in the account's chain, from 1 without gaps.",
    example: 42,
  })
  seq!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T09:30:00.000Z' })
  occurredAt!: string;

  @ApiProperty({ type: AuditActorDto })
  actor!: AuditActorDto;

  @ApiProperty({ example: 'user.updated' })
  action!: string;

  @ApiProperty({ type: String, nullable: true, example: 'user' })
  targetType!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0193a6c4-7f1e-7c3a-9d1e-aaaaaaaaaaaa' })
  targetId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'What changed, conventionally `{ before, after }`; never secrets. For readers who are not super admins in person, names they may not see (properties they may not read, every property of a record outside their scope, sensitive properties) are removed.',
    example: { before: { displayName: 'Ada' }, after: { displayName: 'Ada Lovelace' } },
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({
    description:
      'Whether names were removed from `metadata` for you; `hash` still covers the stored metadata (check the chain with GET /api/v1/audit-log/verify).',
    example: false,
  })
  metadataRedacted!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Id of the request that made the change.',
    example: '0193a6c4-7f1e-7c3a-9d1e-bbbbbbbbbbbb',
  })
  requestId!: string | null;

  @ApiProperty({
    description: 'SHA-256 (hex) of the previous event; 64 zeros for the first.',
    example: '5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592',
  })
  prevHash!: string;

  @ApiProperty({
    description: 'SHA-256 (hex) over the canonical JSON of this event.',
    example: '7c211433f02071597741e6ff5a8ea34789abbf4371b2e0d35c7e5d1f2a3b4c5d',
  })
  hash!: string;
}

/** A page of audit events, newest first. */
export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  results!: AuditEventDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    seq: event.seq,
    occurredAt: event.occurredAt.toISOString(),
    actor: { kind: event.actorKind, id: event.actorId, label: event.actorLabel },
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    metadata: { ...event.metadata },
    metadataRedacted: false,
    requestId: event.requestId,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}
