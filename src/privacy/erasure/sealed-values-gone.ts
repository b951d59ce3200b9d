import { TransactionHost } from '@custos/core';
import type { SubjectKeyShredder } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The server's `SUBJECT_KEY_SHREDDER` while a contact's sealed values are sealed under the
 * account's key: there is no key of the contact's own to destroy, so erasure reaches sealed values
 * by deleting them, and this checks, in the erasing transaction, that none is left — a blind-index
 * token of the contact, or a sealed custom value on its record — else the erasure rolls back.
 * Replaced by the crypto lib's destroy of the subject's key where values are sealed per subject.
 */
@Injectable()
export class SealedValuesGone implements SubjectKeyShredder {
  constructor(private readonly transactions: TransactionHost) {}

  async destroy(
    accountId: string,
    _subjectKind: 'contact',
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
  }
}
