import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PersonalDataSource } from '@custos/privacy';

/** A data subject planted for lookup tests: their identifiers and the ids that name them. */
export interface PlantedSubject {
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  contactId: string;
  userId: string;
}

/** The value a registered field of this category holds for the subject. */
function valueFor(subject: PlantedSubject, category: string): string {
  if (category.startsWith('user.contact.email')) {
    return subject.email;
  }
  if (category.startsWith('user.contact.phone_number')) {
    return subject.phone;
  }
  if (category === 'user.name.first') {
    return subject.firstName;
  }
  if (category === 'user.name.last') {
    return subject.lastName;
  }
  if (category.startsWith('user.name')) {
    return `${subject.firstName} ${subject.lastName}`;
  }
  return `canary of ${subject.email}`;
}

const NUMERIC = new Set([
  'int',
  'integer',
  'bigint',
  'smallint',
  'double precision',
  'float',
  'real',
]);

/**
 * Inserts one row of `source`'s table holding the subject: the subject column names them, every
 * registered field holds their value (email, phone, name per category), the other columns hold
 * fillers. Generated from the declaration, so a newly registered source is planted too. Returns
 * the row id as the lookup names it (its key columns but the account, joined by `/`).
 */
export async function plantRow(
  dataSource: DataSource,
  kind: 'sqlite' | 'postgres',
  accountId: string,
  source: PersonalDataSource,
  subject: PlantedSubject,
): Promise<string> {
  const meta = dataSource.entityMetadatas.find((m) => m.tableName === source.table);
  if (!meta) {
    throw new Error(`no entity maps ${source.table}`);
  }
  const row = new Map<string, unknown>();
  for (const column of meta.columns) {
    const name = column.databaseName;
    const field = source.fields.find((f) => f.column === name && !f.jsonKey);
    const type = String(column.type);
    let value: unknown;
    if (name === 'account_id') {
      value = accountId;
    } else if (name === source.subjectColumn) {
      value = source.subject === 'user' ? subject.userId : subject.contactId;
    } else if (field) {
      value = valueFor(subject, field.category);
    } else if (column.isNullable && !column.isPrimary) {
      continue;
    } else if (type === 'boolean') {
      value = false;
    } else if (NUMERIC.has(type) || column.type === Number) {
      value = Math.floor(Math.random() * 1e9);
    } else {
      // Random: some filler columns are unique (message ids, external ids).
      value = randomUUID().slice(
        0,
        Math.min(column.isPrimary ? 36 : 8, Number(column.length) || 36),
      );
    }
    if (type === 'simple-json') {
      value = JSON.stringify(typeof value === 'string' && !field ? {} : value);
    } else if (type === 'simple-array') {
      value = String(value);
    } else if (type === 'boolean' && kind === 'sqlite') {
      value = value ? 1 : 0;
    }
    row.set(name, value);
  }
  const names = [...row.keys()];
  const placeholders = names.map((_, i) => (kind === 'postgres' ? `$${i + 1}` : '?'));
  await dataSource.query(
    `INSERT INTO "${source.table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${placeholders.join(', ')})`,
    [...row.values()],
  );
  return meta.primaryColumns
    .map((c) => c.databaseName)
    .filter((c) => c !== 'account_id')
    .map((c) => String(row.get(c)))
    .join('/');
}
