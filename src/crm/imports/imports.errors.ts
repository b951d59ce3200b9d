import { CustosError } from '@custos/core';

/** Where a row's value is named while the row is applied: `row.<property>` (shown as the column). */
const rowPath = (property: string): string => `row.${property}`;

/**
 * The errors of CSV imports (`crm.*` codes), one wording each. Request errors name the field
 * (`file`, `mapping.<column>`, `uniqueProperty`); row errors name the property of the row.
 */
export const importErrors = {
  notFound: (): CustosError =>
    new CustosError('not_found', 'crm.import_not_found', 'The import was not found.'),

  fileMissing: (): CustosError =>
    CustosError.invalidField(
      'crm.import_file_missing',
      'file',
      'attach the CSV file as the multipart part named "file"',
    ),

  /** The file is no CSV the import can read (`why`: what is wrong with it). */
  invalidCsv: (why: string): CustosError =>
    CustosError.invalidField('crm.import_invalid_csv', 'file', why),

  /** `column`: the CSV column whose mapping is wrong; `null` for the mapping as a whole. */
  invalidMapping: (column: string | null, message: string): CustosError =>
    CustosError.invalidField(
      'crm.import_invalid_mapping',
      column === null ? 'mapping' : `mapping.${column}`,
      message,
    ),

  invalidUniqueProperty: (message: string): CustosError =>
    CustosError.invalidField('crm.import_invalid_unique_property', 'uniqueProperty', message),

  keyNotReadable: (property: string, objectType: string): CustosError =>
    new CustosError(
      'forbidden',
      'crm.import_key_not_readable',
      `You may not read "${property}", so rows cannot be matched on it: key the import on a unique property of ${objectType} you may read.`,
      {
        errors: [{ field: 'uniqueProperty', message: 'you may not read this property' }],
        extensions: { property },
      },
    ),

  archivedMatch: (property: string, singular: string): CustosError =>
    CustosError.invalidField(
      'crm.import_archived_match',
      rowPath(property),
      `the ${singular} with this value is archived; restore it to update it`,
    ),

  noMatch: (property: string, singular: string): CustosError =>
    CustosError.invalidField(
      'crm.import_no_match',
      rowPath(property),
      `no ${singular} has this value`,
    ),
};

/** The property a row error names (`row.<property>`), or the field as it is when it names none. */
export function rowPropertyOf(field: string): string {
  return field.startsWith('row.') ? field.slice('row.'.length) : field;
}
