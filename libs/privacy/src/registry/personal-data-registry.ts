import { isDataCategory } from '../taxonomy/categories';
import type {
  PersonalDataField,
  PersonalDataFieldProvider,
  PersonalDataSource,
} from './personal-data.types';
import { SUBJECT_KINDS } from './personal-data.types';

/**
 * The port through which every lib and the host declare where they keep personal data. Declare
 * at module init (`onModuleInit`); a declaration that names an unknown category, a duplicate key
 * or a duplicate column is a programming error and throws at boot.
 */
export interface PersonalDataRegistry {
  register(source: PersonalDataSource): void;
  registerProvider(provider: PersonalDataFieldProvider): void;
  /** Every declared source, sorted by key. */
  sources(): PersonalDataSource[];
  /** The declared sources of a table (one table may be declared once per subject kind). */
  sourcesOfTable(table: string): PersonalDataSource[];
  /** The sources with the fields of their providers for this account added. */
  sourcesOf(accountId: string): Promise<PersonalDataSource[]>;
}

export const PERSONAL_DATA_REGISTRY = Symbol('PERSONAL_DATA_REGISTRY');

const KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const COLUMN = /^[a-z][a-z0-9_]*$/;

function fail(source: string, message: string): never {
  throw new Error(`Personal-data source ${source}: ${message}`);
}

export function checkField(sourceKey: string, field: PersonalDataField): void {
  if (!COLUMN.test(field.column)) {
    fail(sourceKey, `the column "${field.column}" is not a snake_case column name`);
  }
  if (!isDataCategory(field.category)) {
    fail(
      sourceKey,
      `"${String(field.category)}" is not a fideslang data category of personal data`,
    );
  }
  if (
    field.phoneKey &&
    (field.category !== 'user.contact.phone_number' ||
      field.jsonKey ||
      field.sealed ||
      field.file ||
      field.list)
  ) {
    fail(sourceKey, `the phone key of "${field.column}" needs a plain phone-number column`);
  }
  if (field.sealed && !field.sealed.blindIndex) {
    fail(sourceKey, `the sealed column "${field.column}" names no blind index`);
  }
}

/** The registry kept in memory: declarations are code, so they are the same on every instance. */
export class InMemoryPersonalDataRegistry implements PersonalDataRegistry {
  private readonly declared = new Map<string, PersonalDataSource>();
  private readonly providers: PersonalDataFieldProvider[] = [];

  register(source: PersonalDataSource): void {
    if (!KEY.test(source.key)) {
      fail(source.key, 'the key must be dotted snake_case (`crm.contact`)');
    }
    if (this.declared.has(source.key)) {
      fail(source.key, 'is declared twice');
    }
    if (!SUBJECT_KINDS.includes(source.subject)) {
      fail(source.key, `the subject must be one of ${SUBJECT_KINDS.join(', ')}`);
    }
    if (source.fields.length === 0 && source.subjectColumn === null) {
      // A table without personal values still counts when its rows point at a subject.
      fail(source.key, 'declares neither a field nor a subject column');
    }
    if (
      source.accountScope &&
      (source.subjectColumn === null ||
        !COLUMN.test(source.accountScope.table) ||
        !COLUMN.test(source.accountScope.column))
    ) {
      fail(source.key, 'an account scope needs a subject column and snake_case names');
    }
    const seen = new Set<string>();
    for (const field of source.fields) {
      checkField(source.key, field);
      const name = `${field.column}/${field.jsonKey ?? ''}`;
      if (seen.has(name)) {
        fail(source.key, `declares the column "${field.column}" twice`);
      }
      seen.add(name);
    }
    this.declared.set(source.key, { ...source, fields: [...source.fields] });
  }

  registerProvider(provider: PersonalDataFieldProvider): void {
    this.providers.push(provider);
  }

  sources(): PersonalDataSource[] {
    return [...this.declared.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  sourcesOfTable(table: string): PersonalDataSource[] {
    return this.sources().filter((source) => source.table === table);
  }

  async sourcesOf(accountId: string): Promise<PersonalDataSource[]> {
    const extra = new Map<string, PersonalDataField[]>();
    for (const provider of this.providers) {
      const fields = await provider.fieldsOf(accountId);
      fields.forEach((field) => checkField(provider.source, field));
      extra.set(provider.source, [...(extra.get(provider.source) ?? []), ...fields]);
    }
    return this.sources().map((source) => ({
      ...source,
      fields: [...source.fields, ...(extra.get(source.key) ?? [])],
    }));
  }
}
