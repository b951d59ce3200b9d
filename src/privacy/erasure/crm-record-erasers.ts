import { Clock, TransactionHost, escapeLike } from '@custos/core';
import {
  ErasureRules,
  type ContactErasure,
  type SourceEraser,
  type ValueErasure,
} from '@custos/privacy';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RecordArchive } from '../../crm/records';

/** The contact's standard properties that hold personal data (`crm.contact` in the registry). */
const PERSONAL_COLUMNS = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'jobtitle',
  'company',
  'city',
  'country',
  'birthdate',
];

/**
 * The contact's own record. Deleted through the CRM's purge (its associations and what every
 * feature keeps about it go with it); when a blocker keeps it, anonymised: its personal
 * properties nulled and its custom properties (sealed ones too) emptied, its id and business
 * fields (owner, lifecycle stage, dates) kept so the documents that name it stay valid. Its
 * history, blind-index tokens, unique values and files are deleted by the engine's generic rule
 * before this runs.
 */
@Injectable()
export class CrmContactEraser implements SourceEraser, OnModuleInit {
  readonly source = 'crm.contact';

  constructor(
    private readonly rules: ErasureRules,
    private readonly archive: RecordArchive,
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.rules.addEraser(this);
  }

  async eraseContact(manager: EntityManager, target: ContactErasure): Promise<number> {
    const { accountId, contactId } = target;
    if (target.outcome === 'deleted') {
      const [{ count }] = await manager.query<{ count: string | number }[]>(
        this.sql('SELECT COUNT(*) AS count FROM crm_contact WHERE account_id = $1 AND id = $2'),
        [accountId, contactId],
      );
      await this.archive.purge(manager, {
        accountId,
        objectType: 'contacts',
        recordIds: [contactId],
      });
      return Number(count);
    }
    const nulls = PERSONAL_COLUMNS.map((column) => `${column} = NULL`).join(', ');
    await manager.query(
      this.sql(
        `UPDATE crm_contact SET ${nulls}, custom = '{}', updated_at = $1 WHERE account_id = $2 AND id = $3`,
      ),
      [this.clock.now().toISOString(), accountId, contactId],
    );
    return 1;
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}

/**
 * Custom properties of companies and deals may name people, with no column pointing at them: the
 * subject's values are found in their `custom` documents (a `LIKE` narrows the rows, the parsed
 * document decides) and removed from them. Sealed values there are envelopes, unreadable once
 * the subject's key is destroyed.
 */
@Injectable()
export class CrmCustomValuesEraser implements OnModuleInit {
  constructor(
    private readonly rules: ErasureRules,
    private readonly transactions: TransactionHost,
  ) {}

  onModuleInit(): void {
    for (const [source, table] of [
      ['crm.company', 'crm_company'],
      ['crm.deal', 'crm_deal'],
    ] as const) {
      this.rules.addEraser({
        source,
        eraseValues: (manager, target) => this.scrub(manager, table, target),
      });
    }
  }

  private async scrub(
    manager: EntityManager,
    table: string,
    { accountId, emails, phones }: ValueErasure,
  ): Promise<number> {
    const values = [...emails, ...phones];
    if (values.length === 0) {
      return 0;
    }
    const likes = values.map((_, i) => `LOWER(custom) LIKE $${i + 2} ESCAPE '\\'`).join(' OR ');
    const sql = `SELECT id, custom FROM ${table} WHERE account_id = $1 AND (${likes})`;
    const rows = await manager.query<{ id: string; custom: string }[]>(
      this.transactions.isPostgres ? sql : sql.replace(/\$\d+/g, '?'),
      [accountId, ...values.map((value) => `%${escapeLike(value)}%`)],
    );
    let changed = 0;
    for (const row of rows) {
      const document = JSON.parse(row.custom) as Record<string, unknown>;
      const kept = Object.fromEntries(
        Object.entries(document).filter(
          ([, value]) =>
            !(typeof value === 'string' && values.includes(value.trim().toLowerCase())),
        ),
      );
      if (Object.keys(kept).length !== Object.keys(document).length) {
        const update = `UPDATE ${table} SET custom = $1 WHERE account_id = $2 AND id = $3`;
        await manager.query(this.transactions.isPostgres ? update : update.replace(/\$\d+/g, '?'), [
          JSON.stringify(kept),
          accountId,
          row.id,
        ]);
        changed += 1;
      }
    }
    return changed;
  }
}

/**
 * The export log keeps who exported and the export file: a file cannot be rewritten without the
 * subject, so it stays until its export expires; the sealed values in it follow the destroyed key.
 */
export const EXPORT_LOG_KEEPS: SourceEraser = {
  source: 'exports.export',
  keeps:
    'export files are not rewritten: they are deleted when their export expires, and their sealed values follow the destroyed key',
};

/**
 * The records each export carried stay, naming the erased contact by its id: they are the log of
 * recipients that Art. 19 requires telling of the erasure, and the privacy log names the contact
 * by the same id, so a hash of it would hide nothing.
 */
export const EXPORT_RECIPIENTS_KEEP: SourceEraser = {
  source: 'exports.carried',
  keeps:
    'the records each export carried are the log of recipients to tell (Art. 19); they name the contact by its id only',
};
