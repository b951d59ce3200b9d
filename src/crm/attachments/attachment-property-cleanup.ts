import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PropertyUsageRegistry, type PropertyUsage, type UsedProperty } from '../properties';
import { CrmAttachment } from './attachment.entity';

/**
 * A file property's files are its values: they go with it (their stored bytes follow with
 * `AttachmentSweepJob`, as for a purge), counted in the deletion's audit event.
 */
@Injectable()
export class AttachmentPropertyCleanup implements PropertyUsage, OnModuleInit {
  constructor(private readonly usages: PropertyUsageRegistry) {}

  onModuleInit(): void {
    this.usages.add(this);
  }

  async removed(
    manager: EntityManager,
    { accountId, objectType, definition }: UsedProperty,
  ): Promise<{ filesDestroyed: number } | void> {
    if (definition.type !== 'file') {
      return;
    }
    const { affected } = await manager.delete(CrmAttachment, {
      accountId,
      objectType: objectType.name,
      propertyName: definition.name,
    });
    return { filesDestroyed: affected ?? 0 };
  }
}
