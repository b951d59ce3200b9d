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
import { CrmSealedValueProbes } from '../crm-sealed-value-probes';
import { SERVER_PERSONAL_DATA } from '../server-personal-data';

/** The CRM object type of the companies' and deals' sources, as `crm_blind_index` names it. */
const CRM_OBJECT_TYPE_OF_SOURCE: Record<string, string> = {
  'crm.company': 'companies',
  'crm.deal': 'deals',
};

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
 * subject's plain values are found in their `custom` documents (a `LIKE` narrows the rows, the
 * parsed document decides) and removed from them. Sealed values there stay under the account's
 * key (companies and deals are no one's), so destroying the subject's key does not reach them:
 * they are found through their blind-index tokens, per sensitive property, and removed with
 * their tokens.
 */
@Injectable()
export class CrmCustomValuesEraser implements OnModuleInit {
  constructor(
    private readonly rules: ErasureRules,
    private readonly transactions: TransactionHost,
    private readonly sealedProbes: CrmSealedValueProbes,
  ) {}

  onModuleInit(): void {
    for (const [source, table] of [
      ['crm.company', 'crm_company'],
      ['crm.deal', 'crm_deal'],
    ] as const) {
      this.rules.addEraser({
        source,
        eraseValues: async (manager, target) =>
          (await this.scrub(manager, table, target)) +
          (await this.scrubSealed(manager, source, table, target)),
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
    const rows = await manager.query<{ id: string; custom: string }[]>(this.sql(sql), [
      accountId,
      ...values.map((value) => `%${escapeLike(value)}%`),
    ]);
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
        await manager.query(this.sql(update), [JSON.stringify(kept), accountId, row.id]);
        changed += 1;
      }
    }
    return changed;
  }

  /**
   * Removes the subject's sealed values from `table`'s records, found by the blind-index tokens
   * of the subject's emails and phones (every sensitive property of the object type), with those
   * tokens. Idempotent: a rerun finds no token.
   */
  private async scrubSealed(
    manager: EntityManager,
    source: string,
    table: string,
    { accountId, emails, phones }: ValueErasure,
  ): Promise<number> {
    const declared = SERVER_PERSONAL_DATA.find((s) => s.key === source)!;
    const custom = declared.fields.find((f) => f.column === 'custom' && f.sealed)!;
    const identifiers = [
      { kind: 'email' as const, values: [...emails] },
      { kind: 'phone' as const, values: [...phones] },
    ].filter((identifier) => identifier.values.length > 0);
    const found = new Map<string, Set<string>>();
    for (const identifier of identifiers) {
      for (const probe of await this.sealedProbes.probes(accountId, declared, custom, identifier)) {
        const { where } = probe;
        const rows = await manager.query<{ record_id: string }[]>(
          this.sql(
            'SELECT record_id FROM crm_blind_index WHERE account_id = $1 AND object_type = $2 AND property_name = $3 AND token = $4',
          ),
          [where.account_id, where.object_type, where.property_name, where.token],
        );
        for (const { record_id } of rows) {
          found.set(record_id, (found.get(record_id) ?? new Set()).add(where.property_name));
        }
      }
    }
    const objectType = CRM_OBJECT_TYPE_OF_SOURCE[source];
    for (const [recordId, names] of found) {
      const [row] = await manager.query<{ custom: string }[]>(
        this.sql(`SELECT custom FROM ${table} WHERE account_id = $1 AND id = $2`),
        [accountId, recordId],
      );
      if (row) {
        const document = JSON.parse(row.custom) as Record<string, unknown>;
        names.forEach((name) => delete document[name]);
        await manager.query(
          this.sql(`UPDATE ${table} SET custom = $1 WHERE account_id = $2 AND id = $3`),
          [JSON.stringify(document), accountId, recordId],
        );
      }
      for (const name of names) {
        await manager.query(
          this.sql(
            'DELETE FROM crm_blind_index WHERE account_id = $1 AND object_type = $2 AND property_name = $3 AND record_id = $4',
          ),
          [accountId, objectType, name, recordId],
        );
      }
    }
    return found.size;
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
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
