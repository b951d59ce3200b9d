import type { PersonalDataField, PersonalDataSource } from '../registry/personal-data.types';
import type { ProbedIdentifier } from './subject-identifiers';

/**
 * One probe of a blind index: the row of `table` (the field's `sealed.blindIndex`) whose columns
 * equal `where` names, in `recordColumn`, the id of the source row holding the sealed value.
 */
export interface BlindIndexProbe {
  /** Column → value, all compared with `=` (the columns of one index). */
  where: Record<string, string>;
  recordColumn: string;
  /** The field as the lookup names it (`custom.ssn`). */
  field: string;
}

/**
 * Answers, for a sealed field, the blind-index probes that find an identifier's values: the
 * owner of the blind index computes the tokens (its keys, its normalisation), so sealed values
 * are found by token, never by comparing ciphertext. Provided by the host holding sealed values.
 */
export interface SealedValueProbes {
  probes(
    accountId: string,
    source: PersonalDataSource,
    field: PersonalDataField,
    identifier: ProbedIdentifier,
  ): Promise<BlindIndexProbe[]>;
}

export const PRIVACY_SEALED_VALUE_PROBES = Symbol('PRIVACY_SEALED_VALUE_PROBES');

/** A row's values as the operator may see them, and the fields they may not see. */
export interface ReadableRow {
  /** By field (`email`, `custom.ssn`). */
  values: Record<string, unknown>;
  withheld: string[];
  /** What the owner tells about the row beyond its fields (an export's requester, date, file digest). */
  details?: Record<string, unknown>;
}

/**
 * Values of a source's rows as the acting operator may see them (the owner's read policy: record
 * access, field permissions, sensitive values opened only for those who may), keyed by row id.
 * A row left out is one the operator may not read: all its values are withheld.
 */
export interface SubjectValueReader {
  /** The source whose rows it reads (its `key`). */
  source: string;
  read(rowIds: string[]): Promise<Map<string, ReadableRow>>;
}

export const PRIVACY_VALUE_READERS = Symbol('PRIVACY_VALUE_READERS');

/**
 * Which of the records the rows of a contact's sources are linked to — their registered subject
 * column: the contact, or the company or deal a row is about — the acting operator may read,
 * archived ones too (the host's one scoped record query, batched by ids). A source without a
 * value reader has its values shown only on rows linked to such a record, as the record's own
 * values are; withheld otherwise. Without this port those rows are all withheld.
 */
export interface ReadableRecords {
  readable(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

export const PRIVACY_READABLE_RECORDS = Symbol('PRIVACY_READABLE_RECORDS');

/** A stored file of a row, opened (plaintext), with the name it was uploaded under. */
export interface SubjectFile {
  name: string;
  content: Buffer;
}

/**
 * The stored files of a source's rows (attachments) as the acting operator may read them, opened
 * with the account's keys by their owner, keyed by row id; a row left out is one whose file the
 * operator may not read. The access package copies them (Art. 15(3): a copy of the data).
 */
export interface SubjectFileReader {
  /** The source whose rows name the files (its `key`). */
  source: string;
  read(rowIds: string[]): Promise<Map<string, SubjectFile>>;
}

export const PRIVACY_FILE_READERS = Symbol('PRIVACY_FILE_READERS');
