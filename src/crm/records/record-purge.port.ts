import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Records about to be deleted for good, all of one object type and account. */
export interface PurgedRecords {
  accountId: string;
  objectType: string;
  recordIds: readonly string[];
}

/**
 * What a feature that keeps rows about records (unique values, associations, files…)
 * does when records are purged: delete those rows in the purge's transaction, before the records.
 */
export interface RecordPurgeHook {
  purgeRecords(manager: EntityManager, purged: PurgedRecords): Promise<void>;
}

/**
 * The purge hooks of the features loaded (the `RECORD_PURGE_HOOKS` port): a feature adds its hook
 * from `onModuleInit`, so records never import the features built on them.
 */
@Injectable()
export class RecordPurgeHooks {
  private readonly hooks: RecordPurgeHook[] = [];

  add(hook: RecordPurgeHook): void {
    this.hooks.push(hook);
  }

  async purge(manager: EntityManager, purged: PurgedRecords): Promise<void> {
    for (const hook of this.hooks) {
      await hook.purgeRecords(manager, purged);
    }
  }
}
