import { InMemoryPersonalDataRegistry, PRIVACY_PERSONAL_DATA } from '@custos/privacy';
import { DataSource } from 'typeorm';
import { SERVER_ENTITIES } from '../database';
import { SERVER_PERSONAL_DATA } from './server-personal-data';

/** What the libs declare themselves, beside the server's own declarations. */
const DECLARED = [...SERVER_PERSONAL_DATA, ...PRIVACY_PERSONAL_DATA];

/** Column names that hold, or may hold, personal data. */
const PERSONAL_COLUMN =
  /(^|_)(email|phone|firstname|lastname|display_name|given_name|family_name|address|ip|user_agent|birthdate|recipients|label|value|value_key|token|custom|storage_key|file_key)$/;

/** Column names that reference a file in the file store (attachments, export files, packages). */
const FILE_COLUMN = /(^|_)(storage_key|file_key)$/;

/** Tables with such a column that hold no personal data, and why. */
const WITHOUT_PERSONAL_DATA: Record<string, string> = {
  crm_property: 'definitions of properties (names, labels): no values',
};

describe('the personal-data registry of the server', () => {
  let tables: Map<string, string[]>;

  beforeAll(async () => {
    // The entities' metadata, as the server's DataSource builds it (an in-memory database).
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: SERVER_ENTITIES,
    });
    await dataSource.initialize();
    tables = new Map(
      dataSource.entityMetadatas.map((meta) => [
        meta.tableName,
        meta.columns.map((column) => column.databaseName),
      ]),
    );
    await dataSource.destroy();
  });

  it('declares every table with a personal-looking column, or says why it holds none', () => {
    const registry = new InMemoryPersonalDataRegistry();
    DECLARED.forEach((source) => registry.register(source));
    const missing = [...tables]
      .filter(([, columns]) => columns.some((column) => PERSONAL_COLUMN.test(column)))
      .map(([table]) => table)
      .filter((table) => registry.sourcesOfTable(table).length === 0)
      .filter((table) => !(table in WITHOUT_PERSONAL_DATA));
    expect(missing).toEqual([]);
  });

  it('declares every file kind: each column referencing a stored file is a file field', () => {
    const files = new Set(
      DECLARED.flatMap((source) =>
        source.fields
          .filter((field) => field.file)
          .map((field) => `${source.table}.${field.column}`),
      ),
    );
    const undeclared = [...tables].flatMap(([table, columns]) =>
      columns
        .filter((column) => FILE_COLUMN.test(column))
        .map((column) => `${table}.${column}`)
        .filter((name) => !files.has(name)),
    );
    expect(undeclared).toEqual([]);
    // Attachments, export files and packages, each declared by its owner.
    expect([...files].sort()).toEqual([
      'crm_attachment.storage_key',
      'custos_export.file_key',
      'privacy_package.file_key',
    ]);
  });

  it('names only tables and columns that exist', () => {
    const unknown = DECLARED.flatMap((source) =>
      [source.subjectColumn, ...source.fields.map((field) => field.column)]
        .filter((column): column is string => column !== null)
        .filter((column) => !(tables.get(source.table) ?? []).includes(column))
        .map((column) => `${source.table}.${column}`),
    );
    expect(unknown).toEqual([]);
  });

  it('keeps no table both declared and listed as without personal data', () => {
    const declared = new Set(DECLARED.map((source) => source.table));
    expect(Object.keys(WITHOUT_PERSONAL_DATA).filter((table) => declared.has(table))).toEqual([]);
  });
});
