import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { Clock, Jobs, TransactionHost, systemActor } from '@custos/core';
import { OBJECT_TYPES } from '../kernel';
import { ARCHIVE_RETENTION_DAYS, RecordArchive } from './record-archive.service';

const HOUR_MS = 3_600_000;
const BATCH = 500;

/** Purges records archived more than {@link ARCHIVE_RETENTION_DAYS} days ago: hourly, once per deployment. */
@Injectable()
export class ArchivePurgeJob {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly archive: RecordArchive,
    jobs: Jobs,
  ) {
    jobs.schedule({
      name: 'crm.archive_purge',
      everySeconds: HOUR_MS / 1000,
      process: async () => {
        await this.purgeExpired();
      },
    });
  }

  /** Purges every expired archived record of every account; returns how many. */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(
      this.clock.now().getTime() - ARCHIVE_RETENTION_DAYS * 24 * HOUR_MS,
    ).toISOString();
    let purged = 0;
    for (const objectType of Object.values(OBJECT_TYPES)) {
      for (;;) {
        const rows = await this.transactions.manager
          .createQueryBuilder()
          .select('r.id', 'id')
          .addSelect('r.account_id', 'accountId')
          .from(objectType.table, 'r')
          .where('r.archived_at IS NOT NULL AND r.archived_at < :cutoff', { cutoff })
          .orderBy('r.id')
          .limit(BATCH)
          .getRawMany<{ id: string; accountId: string }>();
        if (rows.length === 0) {
          break;
        }
        const byAccount = new Map<string, string[]>();
        for (const row of rows) {
          byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row.id]);
        }
        for (const [accountId, ids] of byAccount) {
          await this.transactions.run(async (manager) => {
            await this.archive.purge(manager, {
              accountId,
              objectType: objectType.name,
              recordIds: ids,
            });
            await this.audit.record({
              accountId,
              actor: systemActor(accountId),
              action: 'record.purged',
              targetType: objectType.name,
              metadata: { reason: 'archive_retention', count: ids.length, ids },
            });
          });
        }
        purged += rows.length;
      }
    }
    return purged;
  }
}
