export { createExportsTestApp, type ExportsTestApp } from './export-test-app';
export {
  ExportTestItem,
  TestExportSource,
  UNREADABLE_PROPERTY,
  addTestItems,
} from './test-export-source';
export { readZip, type ZipRead, type ZipFileRead } from '../writers/testing/read-zip';
