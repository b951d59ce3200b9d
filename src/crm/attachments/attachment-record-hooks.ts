import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { PropertySchema } from '../kernel';
import {
  RecordPurgeHooks,
  RecordWriteHooks,
  type PurgedRecords,
  type RecordChange,
  type RecordPurgeHook,
  type RecordWriteHook,
} from '../records';
import { holdAttachments } from './attachment-holders';
import { CrmAttachment } from './attachment.entity';

/**
 * Attachments follow their record: a write that puts an attachment's id into a file property makes
 * that property its holder, and a purge deletes the record's attachments (their stored files
 * follow with `AttachmentSweepJob`).
 */
@Injectable()
export class AttachmentRecordHooks implements RecordPurgeHook, RecordWriteHook, OnModuleInit {
  constructor(
    private readonly purgeHooks: RecordPurgeHooks,
    private readonly writeHooks: RecordWriteHooks,
  ) {}

  onModuleInit(): void {
    this.purgeHooks.add(this);
    this.writeHooks.add(this);
  }

  recordsChanged(
    manager: EntityManager,
    schema: PropertySchema,
    changes: readonly RecordChange[],
  ): Promise<void> {
    return holdAttachments(manager, schema, changes);
  }

  async purgeRecords(
    manager: EntityManager,
    { accountId, objectType, recordIds }: PurgedRecords,
  ): Promise<void> {
    await manager.delete(CrmAttachment, { accountId, objectType, recordId: In(recordIds) });
  }
}
