import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PropertySchema } from '../kernel';
import type { RecordChange } from './record-store';

/** What a feature does in the transaction of a write that changed records (e.g. attachments held by a file property). */
export interface RecordWriteHook {
  recordsChanged(
    manager: EntityManager,
    schema: PropertySchema,
    changes: readonly RecordChange[],
  ): Promise<void>;
}

/**
 * The write hooks of the features loaded: a feature adds its hook from `onModuleInit`, so records
 * never import the features built on them.
 */
@Injectable()
export class RecordWriteHooks {
  private readonly hooks: RecordWriteHook[] = [];

  add(hook: RecordWriteHook): void {
    this.hooks.push(hook);
  }

  async changed(
    manager: EntityManager,
    schema: PropertySchema,
    changes: readonly RecordChange[],
  ): Promise<void> {
    for (const hook of this.hooks) {
      await hook.recordsChanged(manager, schema, changes);
    }
  }
}
