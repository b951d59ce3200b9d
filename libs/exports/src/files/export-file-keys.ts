import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHost } from '@custos/core';
import { SubjectKeys, fileKeyHolder, type DataSubject } from '@custos/crypto';
import { ExportRecord } from '../log/export-record.entity';

/** The `purpose` of sealed export files (part of their authenticated place, with the export id). */
export const EXPORT_PURPOSE = 'export';

/** Whose key seals an export's file: the file's own (kept in the crypto lib's key table). */
export function exportFileHolder(exportId: string): DataSubject {
  return fileKeyHolder(EXPORT_PURPOSE, exportId);
}

/**
 * The keys of export files. Every export file is sealed under its own key; destroying it makes
 * the file — the live one and every copy of the store — unopenable, while the export's row, its
 * SHA-256 and the records it carried stay (the log of recipients, Art. 19).
 */
@Injectable()
export class ExportFileKeys {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly keys: SubjectKeys,
  ) {}

  /**
   * Destroys the file key of every export that carried `recordId` (a data subject being erased),
   * in `manager`'s transaction: idempotent, so a rerun of the erasure's step finds nothing left.
   * Returns how many keys were destroyed now.
   */
  async destroyCarrying(
    manager: EntityManager,
    accountId: string,
    recordId: string,
  ): Promise<number> {
    const carried = await manager.find(ExportRecord, {
      select: { exportId: true },
      where: { accountId, recordId },
    });
    let destroyed = 0;
    for (const { exportId } of carried) {
      if (await this.destroy(accountId, exportId, manager)) {
        destroyed += 1;
      }
    }
    return destroyed;
  }

  /** Destroys one export file's key (its file expired or was removed); `true` when destroyed now. */
  destroy(accountId: string, exportId: string, manager?: EntityManager): Promise<boolean> {
    const holder = exportFileHolder(exportId);
    return this.keys.destroy(
      accountId,
      holder.kind,
      holder.id,
      manager ?? this.transactions.manager,
    );
  }
}
