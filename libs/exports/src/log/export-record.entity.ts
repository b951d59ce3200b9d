import { Entity, Index, PrimaryColumn } from 'typeorm';

const PK = 'custos_export_record_pk';
/** The index by export: `ExportRecords.forget`'s way in. */
export const EXPORT_INDEX = 'custos_export_record_export_idx';

/**
 * One record an export carried (its id, as the source's record-id column gave it): the log of
 * who received which records, for a data subject's access (GDPR Art. 15(1)(c)) and for telling
 * recipients of an erasure or rectification (Art. 19). Written by the export run, page by page,
 * before the rows go into the file.
 */
// The key, led by the record, answers the privacy lookup and the erasure (on SQLite it is the table
// itself); the index by export lets `forget` delete a discarded run's notes without reading the
// account's — a cost any exporter could otherwise cause at will by cancelling (docs/exports.md).
@Entity({ name: 'custos_export_record', withoutRowid: true })
@Index(EXPORT_INDEX, ['exportId'])
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
