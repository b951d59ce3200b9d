import { join } from 'node:path';

/** Where the CSV of an import is kept until the import ends. */
export function importFilePath(directory: string, importId: string): string {
  return join(directory, `${importId}.csv`);
}

/** Folder of uploads still being received or checked. */
export function uploadsDirectory(directory: string): string {
  return join(directory, 'uploads');
}
