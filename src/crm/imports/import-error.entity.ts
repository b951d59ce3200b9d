import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CrmImport } from './import.entity';

/** Why one data row of an import was refused. Holds no cell value: those may be personal data. */
@Entity('crm_import_error')
@Index('crm_import_error_row_uq', ['importId', 'rowNumber'], { unique: true })
export class ImportRowError {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_import_error_pk' })
  id!: string;

  @Column({ name: 'import_id', type: 'varchar', length: 36 })
  @ForeignKey(() => CrmImport, { name: 'crm_import_error_import_fk', onDelete: 'CASCADE' })
  importId!: string;

  /** 1-based number of the data row (the header row is not counted). */
  @Column({ name: 'row_number', type: 'integer' })
  rowNumber!: number;

  /** The CSV column at fault, or `null` when the row as a whole is (e.g. a wrong number of cells). */
  @Column({ name: 'column_name', type: 'varchar', length: 255, nullable: true })
  column!: string | null;

  @Column({ type: 'varchar', length: 1000 })
  reason!: string;
}
