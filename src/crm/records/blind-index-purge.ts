import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { BlindIndexEntry } from './blind-index.entity';
import { RecordPurgeHooks, type PurgedRecords, type RecordPurgeHook } from './record-purge.port';

/** Purged records take their blind-index tokens with them. */
@Injectable()
export class BlindIndexPurge implements RecordPurgeHook, OnModuleInit {
  constructor(private readonly hooks: RecordPurgeHooks) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  async purgeRecords(
    manager: EntityManager,
    { accountId, objectType, recordIds }: PurgedRecords,
  ): Promise<void> {
    await manager.delete(BlindIndexEntry, { accountId, objectType, recordId: In(recordIds) });
  }
}
