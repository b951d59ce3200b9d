import type { DataCategory } from '../taxonomy/categories';

/** Whose personal data a source holds. */
export const SUBJECT_KINDS = ['contact', 'user', 'requester'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** One column (or one key of a JSON column) holding personal data. */
export interface PersonalDataField {
  /** The column of the table (`email`), or of the JSON column for a key (see `jsonKey`). */
  column: string;
  /** A key inside the JSON column `column` (custom property values kept as one document). */
  jsonKey?: string;
  category: DataCategory;
  /**
   * The value is sealed (encrypted in the application): it is found through the blind index,
   * never by comparing the column. `blindIndex` names where its tokens live.
   */
  sealed?: { blindIndex: string };
  /** The column references a file in the file store (its content is personal data too). */
  file?: boolean;
  /** The column holds a list of values (a JSON array): the lookup cannot probe it by equality. */
  list?: boolean;
  /**
   * A phone number kept as typed whose owner indexes its phone key (`phoneKeySql(column)`, after
   * `account_id`): the lookup finds it however either side punctuates the number.
   */
  phoneKey?: boolean;
}

/**
 * A table that holds personal data, declared by the lib or host that owns it. The register of
 * processing activities and the subject lookup are generated from these declarations.
 */
export interface PersonalDataSource {
  /** Stable name, `<owner>.<thing>` (`crm.contact`, `consent.event`). */
  key: string;
  /** The lib or host that owns the table (`crm`, `@custos/consent`). */
  owner: string;
  table: string;
  subject: SubjectKind;
  /** The column holding the subject's id, when the row belongs to one subject (`contact_id`). */
  subjectColumn: string | null;
  /**
   * For a table shared by all accounts (no `account_id`): the row is the account's when its
   * subject column appears in `table.column` of a row with the account's `account_id`.
   */
  accountScope?: { table: string; column: string };
  /** What the rows are, in words a register can print. */
  description: string;
  /** Empty for a table that holds no personal value but points at a subject (form submissions). */
  fields: PersonalDataField[];
}

/** Fields known only per account (custom properties get their category when they are defined). */
export interface PersonalDataFieldProvider {
  /** The source the fields belong to (its `key`). */
  source: string;
  fieldsOf(accountId: string): Promise<PersonalDataField[]>;
}
