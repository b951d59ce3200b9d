export { createExportsTestApp, type ExportsTestApp } from './export-test-app';
export {
  ExportTestItem,
  TestExportSource,
  UNREADABLE_PROPERTY,
  addTestItems,
} from './test-export-source';
