import { Logger } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import {
  deleteAccountRows,
  placeholder,
  updateAccountRow,
  type PropertySchema,
  type PropertyValue,
} from '../kernel';
import { recordValuePlace, sensitiveNames, type SensitiveFields } from '../sensitive';
import { BlindIndexEntry } from './blind-index.entity';

const logger = new Logger('RecordStore');

/** A record as its row holds it: common columns, standard values, custom values. */
export interface StoredRecord {
  id: string;
  accountId: string;
  ownerId: string | null;
  businessUnitId: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  /** Standard and custom property values by property name (system properties excluded). */
  values: Record<string, PropertyValue>;
  /**
   * Sensitive values as stored (envelopes), by property name, for those not opened into `values`.
   * They are written back untouched; a name in `values` wins over its envelope here.
   */
  sealed: Record<string, string>;
}

/** A record as a write leaves it, with its values before the write (`{}` for a new record). */
export interface RecordChange {
  record: StoredRecord;
  before: Record<string, PropertyValue>;
}

const COMMON_COLUMNS = [
  'id',
  'account_id',
  'owner_id',
  'business_unit_id',
  'created_at',
  'updated_at',
  'archived_at',
  'custom',
] as const;

/** The columns to select for records of `schema`, aliased by column name. */
export function recordColumns(schema: PropertySchema, alias = 'r'): string {
  return [...COMMON_COLUMNS, ...schema.objectType.standard.map((p) => p.name)]
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

/**
 * The `custom` JSON object of a row. A cell that is not one (only a database writer can make it
 * so) is logged, and its sensitive values read as unopenable: one damaged row must not fail a list.
 */
function customOf(
  schema: PropertySchema,
  row: Record<string, unknown>,
): Record<string, PropertyValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((row.custom as string | null) ?? '{}');
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    return parsed as Record<string, PropertyValue>;
  }
  logger.error(
    `The custom values of a record are not a JSON object: table ${schema.objectType.table}, record ${String(row.id)}. Its sensitive values are shown as redacted.`,
  );
  return Object.fromEntries(sensitiveNames(schema).map((name) => [name, null]));
}

/** Maps a raw row to a {@link StoredRecord}. */
export function fromRow(schema: PropertySchema, row: Record<string, unknown>): StoredRecord {
  const values: Record<string, PropertyValue> = {};
  for (const property of schema.objectType.standard) {
    const value = row[property.name];
    values[property.name] =
      value === undefined || value === null
        ? null
        : property.type === 'number'
          ? Number(value)
          : (value as PropertyValue);
  }
  const custom = customOf(schema, row);
  const sealed: Record<string, string> = {};
  for (const [name, value] of Object.entries(custom)) {
    const definition = schema.byName.get(name);
    if (definition?.sensitivity) {
      sealed[name] = value as string;
    } else if (definition) {
      values[name] = value;
    }
  }
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    ownerId: (row.owner_id as string | null) ?? null,
    businessUnitId: (row.business_unit_id as string | null) ?? null,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    archivedAt: (row.archived_at as string | null) ?? null,
    values,
    sealed,
  };
}

/**
 * Splits values into the table's standard columns and the `custom` JSON text. Sensitive values
 * are sealed here, the one place rows are written from: no write path can store them in clear.
 */
function toColumns(
  schema: PropertySchema,
  record: StoredRecord,
  sensitive: SensitiveFields | null,
): Record<string, unknown> {
  const columns: Record<string, unknown> = {
    id: record.id,
    account_id: record.accountId,
    owner_id: record.ownerId,
    business_unit_id: record.businessUnitId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
  const custom: Record<string, PropertyValue> = {};
  for (const [name, envelope] of Object.entries(record.sealed)) {
    if (!(name in record.values)) {
      custom[name] = envelope;
    }
  }
  for (const [name, value] of Object.entries(record.values)) {
    if (schema.columns.has(name)) {
      columns[name] = value;
    } else if (value !== null) {
      custom[name] = sensitive?.has(name)
        ? sensitive.sealAt(recordValuePlace(schema.objectType.table, name, record.id), value)
        : value;
    }
  }
  columns.custom = JSON.stringify(custom);
  return columns;
}

/** Refuses (as a programming error) to write a schema with sensitive properties without their keys. */
function requireSensitive(
  schema: PropertySchema,
  sensitive: SensitiveFields | null,
): SensitiveFields | null {
  if (!sensitive && sensitiveNames(schema).length > 0) {
    throw new Error(
      `${schema.objectType.name} has sensitive properties: records must be written with their SensitiveFields.`,
    );
  }
  return sensitive;
}

/**
 * Rewrites the blind-index tokens of the records' sensitive values that are in clear in `values`
 * (envelopes carried through untouched keep their tokens).
 */
async function writeBlindIndex(
  manager: EntityManager,
  sensitive: SensitiveFields | null,
  records: readonly StoredRecord[],
  replace: boolean,
): Promise<void> {
  if (!sensitive) {
    return;
  }
  const objectType = sensitive.schema.objectType.name;
  const entries: BlindIndexEntry[] = [];
  for (const record of records) {
    const written = [...sensitive.names].filter((name) => name in record.values);
    if (replace && written.length > 0) {
      await manager.delete(BlindIndexEntry, {
        accountId: record.accountId,
        objectType,
        propertyName: In(written),
        recordId: record.id,
      });
    }
    for (const name of written) {
      const value = record.values[name];
      if (value !== null) {
        entries.push({
          accountId: record.accountId,
          objectType,
          propertyName: name,
          recordId: record.id,
          token: sensitive.token(name, value),
        });
      }
    }
  }
  for (let start = 0; start < entries.length; start += 1000) {
    await manager.insert(BlindIndexEntry, entries.slice(start, start + 1000));
  }
}

/**
 * Loads, creating where missing, the data subjects' keys the records' sensitive values in clear
 * (written, or opened for history) are sealed with: one query for all of them, in the write's
 * transaction. Records already prepared cost nothing.
 */
export async function prepareSealing(
  manager: EntityManager,
  sensitive: SensitiveFields | null,
  records: readonly StoredRecord[],
): Promise<void> {
  if (!sensitive) {
    return;
  }
  const sealing = records.filter((record) =>
    Object.keys(record.values).some((name) => sensitive.has(name)),
  );
  if (sealing.length > 0) {
    await sensitive.prepareSealing(
      sealing.map((record) => record.id),
      manager,
    );
  }
}

/** Inserts records with one multi-row statement per chunk. */
export async function insertRecords(
  manager: EntityManager,
  schema: PropertySchema,
  records: readonly StoredRecord[],
  sensitive: SensitiveFields | null,
): Promise<void> {
  if (records.length === 0) {
    return;
  }
  requireSensitive(schema, sensitive);
  await prepareSealing(manager, sensitive, records);
  const names = [...COMMON_COLUMNS, ...schema.objectType.standard.map((p) => p.name)];
  // Stay below SQLite's and PostgreSQL's bound-parameter limits.
  const perStatement = Math.max(1, Math.floor(30_000 / names.length));
  for (let start = 0; start < records.length; start += perStatement) {
    const chunk = records.slice(start, start + perStatement);
    const parameters: unknown[] = [];
    const tuples = chunk.map((record) => {
      const columns = toColumns(schema, record, sensitive);
      return `(${names
        .map((name) => {
          parameters.push(columns[name] ?? null);
          return placeholder(manager, parameters.length);
        })
        .join(', ')})`;
    });
    await manager.query(
      `INSERT INTO ${schema.objectType.table} (${names.join(', ')}) VALUES ${tuples.join(', ')}`,
      parameters,
    );
  }
  await writeBlindIndex(manager, sensitive, records, false);
}

/** Writes every column of an existing record (its row is locked by the caller). */
export async function updateRecord(
  manager: EntityManager,
  schema: PropertySchema,
  record: StoredRecord,
  sensitive: SensitiveFields | null,
): Promise<void> {
  await prepareSealing(manager, requireSensitive(schema, sensitive), [record]);
  const columns = toColumns(schema, record, sensitive);
  const values = Object.fromEntries(
    Object.entries(columns).filter(([name]) => name !== 'id' && name !== 'account_id'),
  );
  await updateAccountRow(manager, schema.objectType.table, record, values);
  await writeBlindIndex(manager, sensitive, [record], true);
}

/** Deletes records for good (what features keep about them goes first, through their purge hooks). */
export async function deleteRecords(
  manager: EntityManager,
  table: string,
  { accountId, recordIds }: { accountId: string; recordIds: readonly string[] },
): Promise<void> {
  await deleteAccountRows(manager, table, accountId)
    .andWhere('id IN (:...ids)', { ids: [...recordIds] })
    .execute();
}
