import { TransactionHost } from '@custos/core';
import { SubjectKeys } from '@custos/crypto';
import { ExportFileKeys } from '@custos/exports';
import type { SubjectKeyShredder } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The server's `SUBJECT_KEY_SHREDDER`. In the erasing transaction it first checks that the
 * erasure left no sealed value of the contact in the live database — a blind-index token, or a
 * sealed custom value on its record — else the erasure rolls back; then it destroys the
 * contact's own data key (crypto-shredding), so every copy of its sealed values in backups,
 * replicas and old rows no longer opens with the live keys — its sealed attachments too, which
 * are sealed under that key — and the key of every export file that carried the contact, so
 * each copy of those files stops opening (their export rows and hashes stay, Art. 19).
 */
@Injectable()
export class ContactKeyShredder implements SubjectKeyShredder {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly subjectKeys: SubjectKeys,
    private readonly exportFiles: ExportFileKeys,
  ) {}

  async destroy(
    accountId: string,
    subjectKind: 'contact',
    subjectId: string,
    manager: EntityManager,
  ): Promise<void> {
    const sql =
      "SELECT (SELECT COUNT(*) FROM crm_blind_index WHERE account_id = $1 AND record_id = $2) AS tokens, (SELECT COUNT(*) FROM crm_contact WHERE account_id = $3 AND id = $4 AND custom <> '{}') AS documents";
    const [left] = await manager.query<{ tokens: string | number; documents: string | number }[]>(
      this.transactions.isPostgres ? sql : sql.replace(/\$\d/g, '?'),
      [accountId, subjectId, accountId, subjectId],
    );
    if (Number(left.tokens) > 0 || Number(left.documents) > 0) {
      throw new Error(`Erasure left sealed values of contact ${subjectId}`);
    }
    await this.subjectKeys.destroy(accountId, subjectKind, subjectId, manager);
    await this.exportFiles.destroyCarrying(manager, accountId, subjectId);
  }
}
