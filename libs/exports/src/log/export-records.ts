import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@custos/core';
import type { ExportRow } from '../export-source';
import { EXPORT_INDEX, ExportRecord } from './export-record.entity';

/** Notes {@link ExportRecords.forget} deletes a statement on SQLite. */
export const FORGET_BATCH = 10_000;

/**
 * The records an export carried (`custos_export_record`): noted per batch, sent before the batch
 * goes into the file, in one statement whatever its size (the ids bound as one list); forgotten
 * when the export's file is (a failed, cancelled or restarted run never reached anyone).
 */
@Injectable()
export class ExportRecords {
  constructor(private readonly transactions: TransactionHost) {}

  /**
   * `batches`, the ids in column `column` of each noted as it passes: a batch's note is sent before
   * the batch goes on and written while the file writer formats it (the database works on another
   * core meanwhile); the next batch is read only once the note is in, and the batches end only then
   * — so every record of a finished file, and of every batch read, is noted. Stopped early, it
   * waits for the note in flight, for `forget` to find.
   */
  async *noting(
    accountId: string,
    exportId: string,
    batches: AsyncIterable<ExportRow[]>,
    column: number,
  ): AsyncGenerator<ExportRow[]> {
    let inFlight: Promise<void> | undefined;
    try {
      for await (const batch of batches) {
        inFlight = this.note(accountId, exportId, batch, column);
        // A failure surfaces at the await below; not "unhandled" if the consumer stops first.
        inFlight.catch(() => undefined);
        yield batch;
        await inFlight;
        inFlight = undefined;
      }
    } finally {
      await inFlight?.catch(() => undefined);
    }
  }

  /** Notes the ids in column `column` of `rows`; a record met again (history rows) is kept once. */
  async note(
    accountId: string,
    exportId: string,
    rows: ExportRow[],
    column: number,
  ): Promise<void> {
    const ids = new Set<string>();
    for (const row of rows) {
      const id = row[column];
      if (id !== null && id !== undefined) {
        ids.add(String(id));
      }
    }
    if (ids.size === 0) {
      return;
    }
    const sql = this.transactions.isPostgres
      ? `INSERT INTO custos_export_record (account_id, export_id, record_id)
         SELECT $1, $2, id FROM unnest($3::varchar[]) AS ids(id) ON CONFLICT DO NOTHING`
      : `INSERT INTO custos_export_record (account_id, export_id, record_id)
         SELECT ?, ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;
    await this.transactions.manager.query(sql, [
      accountId,
      exportId,
      this.transactions.isPostgres ? [...ids] : JSON.stringify([...ids]),
    ]);
  }

  /**
   * Deletes the notes of export `exportId` (a run that kept no file), found through the index by
   * export: the cost is the export's own notes, never the account's — any exporter can cancel at
   * will. SQLite: {@link FORGET_BATCH} notes a statement, each deleted by its key, so that a
   * statement holds the database's write lock for a batch, not for a whole large export.
   * PostgreSQL: one statement (a delete locks only its rows; batches would each scan the index
   * entries their predecessors left dead).
   */
  async forget(accountId: string, exportId: string): Promise<void> {
    const forgetting = this.transactions.manager.createQueryBuilder().delete().from(ExportRecord);
    if (this.transactions.isPostgres) {
      await forgetting
        .where('export_id = :exportId AND account_id = :accountId', { accountId, exportId })
        .execute();
      return;
    }
    const batch = forgetting.where(
      `account_id = :accountId AND export_id = :exportId AND record_id IN (SELECT record_id FROM custos_export_record INDEXED BY "${EXPORT_INDEX}" WHERE export_id = :exportId AND account_id = :accountId LIMIT ${FORGET_BATCH})`,
      { accountId, exportId },
    );
    let deleted: number;
    do {
      deleted = (await batch.execute()).affected ?? 0;
    } while (deleted >= FORGET_BATCH);
  }
}
