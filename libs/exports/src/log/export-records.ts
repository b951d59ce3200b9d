import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@custos/core';
import type { ExportRow } from '../export-source';
import { ExportRecord } from './export-record.entity';

/**
 * The records an export carried (`custos_export_record`): noted per batch, before the batch goes
 * into the file, in one statement whatever its size (the ids bound as one list); forgotten when
 * the export's file is (a failed, cancelled or restarted run never reached anyone).
 */
@Injectable()
export class ExportRecords {
  constructor(private readonly transactions: TransactionHost) {}

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

  async forget(accountId: string, exportId: string): Promise<void> {
    await this.transactions.manager.delete(ExportRecord, { accountId, exportId });
  }
}
