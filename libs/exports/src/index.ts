export {
  EXPORT_SOURCES,
  type ExportCell,
  type ExportCellType,
  type ExportColumn,
  type ExportPlan,
  type ExportRow,
  type ExportSource,
  type ExportTarget,
} from './export-source';
