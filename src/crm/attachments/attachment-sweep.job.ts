import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Clock, Jobs, TransactionHost } from '@custos/core';
import { AttachmentStorage, type StoredObject } from './attachment-storage';
import { CrmAttachment } from './attachment.entity';

const HOUR_MS = 3_600_000;
const BATCH = 500;
/** Stored objects younger than this are spared: their upload may not have committed its row yet. */
export const SWEEP_GRACE_MS = 15 * 60_000;

/**
 * Removes stored files no attachment refers to: those of purged records (a purge deletes the
 * rows in its transaction; the files follow here), of deletions whose file removal failed, and
 * interrupted writes. Hourly, once per deployment.
 */
@Injectable()
export class AttachmentSweepJob {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly storage: AttachmentStorage,
    private readonly clock: Clock,
    jobs: Jobs,
  ) {
    jobs.schedule({
      name: 'crm.attachment_sweep',
      everySeconds: HOUR_MS / 1000,
      process: async () => {
        await this.sweep();
      },
    });
  }

  /** Removes every unreferenced file stored more than `graceMs` ago; returns how many. */
  async sweep(graceMs = SWEEP_GRACE_MS): Promise<number> {
    const cutoff = this.clock.now().getTime() - graceMs;
    let removed = 0;
    let batch: StoredObject[] = [];
    const flush = async () => {
      const referenced = new Set(
        (
          await this.transactions.manager.find(CrmAttachment, {
            select: { storageKey: true },
            where: { storageKey: In(batch.map((o) => o.key)) },
          })
        ).map((a) => a.storageKey),
      );
      for (const { key } of batch.filter((o) => !referenced.has(o.key))) {
        await this.storage.delete(key);
        removed += 1;
      }
      batch = [];
    };
    for await (const object of this.storage.list()) {
      if (object.storedAt.getTime() < cutoff) {
        batch.push(object);
      }
      if (batch.length >= BATCH) {
        await flush();
      }
    }
    if (batch.length > 0) {
      await flush();
    }
    return removed;
  }
}
