import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { CustosError, RequestContext, isSuperAdminInPerson } from '@custos/core';
import {
  KeyRotationRegistry,
  KeyRotationService,
  type EncryptionKeysStatus,
  type KeyRotationJob,
} from '@custos/crypto';
import type { EncryptionStatusDto, KeyRotationDto } from './encryption.dto';

function rotationView(job: KeyRotationJob): KeyRotationDto {
  return {
    id: job.id,
    status: job.status,
    targetVersion: job.targetVersion,
    processed: job.processed,
    totalEstimate: job.totalEstimate,
    pass: job.pass,
    unreadable: job.unreadable,
    startedAt: job.startedAt.toISOString(),
    finishedAt: job.finishedAt ? job.finishedAt.toISOString() : null,
    error: job.error,
  };
}

function statusView(status: EncryptionKeysStatus): EncryptionStatusDto {
  return {
    activeVersion: status.activeVersion,
    versions: status.versions.map((v) => ({
      version: v.version,
      active: v.active,
      createdAt: v.createdAt.toISOString(),
      values: v.values,
    })),
    versionsInUse: status.versions.filter((v) => v.values > 0).map((v) => v.version),
    rotation: status.rotation ? rotationView(status.rotation) : null,
  };
}

/** The account's data keys: their use, and rotation (audited when it starts and completes). */
@Injectable()
export class EncryptionService implements OnModuleInit {
  constructor(
    private readonly context: RequestContext,
    private readonly rotation: KeyRotationService,
    private readonly registry: KeyRotationRegistry,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.registry.addListener({
      started: async (event) => {
        await this.audit.record({
          action: 'encryption.rotation_started',
          targetType: 'key_rotation',
          targetId: event.rotationId,
          metadata: { targetVersion: event.targetVersion },
        });
      },
      completed: async (event) => {
        await this.audit.record({
          action: 'encryption.rotation_completed',
          targetType: 'key_rotation',
          targetId: event.rotationId,
          metadata: {
            targetVersion: event.targetVersion,
            reencrypted: event.processed,
            unreadable: event.unreadable,
          },
        });
      },
    });
  }

  async status(): Promise<EncryptionStatusDto> {
    return statusView(await this.rotation.status(this.context.requireAccountId()));
  }

  /** A new data-key version, and re-encryption of every older value in the background. */
  async rotate(): Promise<EncryptionStatusDto> {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'encryption.super_admin_only',
        'Only a super admin of the account, signed in in person, may rotate its encryption key.',
      );
    }
    await this.rotation.start(actor.accountId, actor.id);
    return this.status();
  }
}
