import { Entity, PrimaryColumn } from 'typeorm';

const PK = 'custos_export_record_pk';

/**
 * One record an export carried (its id, as the source's record-id column gave it): the log of
 * who received which records, for a data subject's access (GDPR Art. 15(1)(c)) and for telling
 * recipients of an erasure or rectification (Art. 19). Written by the export run, page by page,
 * before the rows go into the file.
 */
// One B-tree per noted record: the key, led by the record (the privacy lookup's and the erasure's
// question), is the only index — on SQLite the table itself. Forgetting an export's notes (a run that
// kept no file: rare) reads the account's notes instead (docs/exports.md).
@Entity({ name: 'custos_export_record', withoutRowid: true })
export class ExportRecord {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: PK,
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'record_id',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: PK,
  })
  recordId!: string;

  @PrimaryColumn({
    name: 'export_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: PK,
  })
  exportId!: string;
}
