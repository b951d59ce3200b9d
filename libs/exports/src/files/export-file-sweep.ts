import { Inject, Injectable } from '@nestjs/common';
import { Clock, Jobs, TransactionHost } from '@custos/core';
import { ExportTransitions } from '../export-transitions';
import { DataExport } from '../export.entity';
import {
  DEFAULT_FILE_SWEEP_SECONDS,
  EXPORTS_MODULE_OPTIONS,
  type ExportsModuleOptions,
} from '../exports.module-definition';
import { ExportFiles } from './export-files';

/** The schedule deleting expired export files. */
export const EXPORT_FILE_SWEEP = 'exports.file_sweep';

const BATCH = 100;

/**
 * Once per period for the deployment: every done export whose file expired becomes
 * `file_expired` (audited) and its file is removed from the store.
 */
@Injectable()
export class ExportFileSweep {
  constructor(
    jobs: Jobs,
    private readonly transactions: TransactionHost,
    private readonly transitions: ExportTransitions,
    private readonly files: ExportFiles,
    private readonly clock: Clock,
    @Inject(EXPORTS_MODULE_OPTIONS) options: ExportsModuleOptions,
  ) {
    jobs.schedule({
      name: EXPORT_FILE_SWEEP,
      everySeconds: options.fileSweepSeconds ?? DEFAULT_FILE_SWEEP_SECONDS,
      process: async () => {
        await this.sweep();
      },
    });
  }

  /** Expires what is due now; returns how many files it removed. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const due = await this.transactions.manager
        .createQueryBuilder(DataExport, 'e')
        .where("e.state = 'done' AND e.fileExpiresAt <= :now", {
          now: this.clock.now().toISOString(),
        })
        .orderBy('e.id', 'ASC')
        .limit(BATCH)
        .getMany();
      for (const entity of due) {
        const expired = await this.transitions.move(entity.id, 'done', 'file_expired', {
          fileKey: null,
        });
        await this.files.remove(entity.accountId, entity.id);
        removed += expired ? 1 : 0;
      }
      if (due.length < BATCH) {
        return removed;
      }
    }
  }
}
