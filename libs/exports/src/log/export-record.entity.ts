import { Entity, Index, PrimaryColumn } from 'typeorm';

const PK = 'custos_export_record_pk';

/**
 * One record an export carried (its id, as the source's record-id column gave it): the log of
 * who received which records, for a data subject's access (GDPR Art. 15(1)(c)) and for telling
 * recipients of an erasure or rectification (Art. 19). Written by the export run, page by page,
 * before the rows go into the file.
 */
// SQLite: the key is the table (one B-tree less to write per exported record).
@Entity({ name: 'custos_export_record', withoutRowid: true })
@Index('custos_export_record_record_idx', ['accountId', 'recordId'])
export class ExportRecord {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: PK,
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'export_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: PK,
  })
  exportId!: string;

  @PrimaryColumn({
    name: 'record_id',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: PK,
  })
  recordId!: string;
}
