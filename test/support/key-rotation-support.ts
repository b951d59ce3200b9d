import type { DataSource } from 'typeorm';
import { keyVersionOf, type AccountCiphers } from '@custos/crypto';
import { historyValuePlaces, recordValuePlace, type SealedPlace } from '../../src/crm/sensitive';
import {
  createProperty,
  createRecords,
  expectStatus,
  uniqueName,
  type Caller,
} from '../crm/crm-support';

/** One sensitive value as stored: where it is kept (table, column, row) and where it is bound. */
export interface StoredValue {
  table: string;
  column: string;
  recordId: string;
  envelope: string;
  place: SealedPlace;
  /** The binding of a format-1 envelope (see `historyValuePlaces`). */
  formerPlace: SealedPlace;
}

/** Key of a stored value's place, for maps of values. */
export function placeKey(value: StoredValue): string {
  return `${value.table}/${value.recordId}/${value.column}`;
}

/**
 * Enables sensitive data, makes a sensitive company property and `count` companies holding a value
 * of it, then changes every other value (so the history holds old and new envelopes too).
 * Returns the property name and the companies' ids with their current values. Companies, because
 * their values are sealed under the account's key, which a rotation re-encrypts value by value
 * (a contact's are under the contact's own key, which it wraps again).
 */
export async function seedSensitiveRecords(
  admin: Caller,
  count: number,
): Promise<{ property: string; values: Map<string, string> }> {
  expectStatus(
    await admin.post('/api/v1/settings/sensitive-data/enable', {
      categories: ['health_data'],
      acceptTerms: true,
    }),
    200,
  );
  const property = uniqueName('diagnosis');
  await createProperty(admin, 'companies', {
    name: property,
    label: 'Diagnosis',
    type: 'string',
    sensitivity: {},
  });
  const created = await createRecords(
    admin,
    'companies',
    Array.from({ length: count }, (_, i) => ({ name: `Firm ${i}`, [property]: `D-${i}` })),
  );
  const values = new Map(created.map((r, i) => [r.id, `D-${i}`]));
  const updates = created.filter((_, i) => i % 2 === 0);
  for (let start = 0; start < updates.length; start += 100) {
    const inputs = updates.slice(start, start + 100).map((r) => ({
      id: r.id,
      properties: { [property]: `${values.get(r.id)}-revised` },
    }));
    expectStatus(await admin.post('/api/v1/objects/companies/batch/update', { inputs }), 200);
    for (const { id } of inputs) {
      values.set(id, `${values.get(id)}-revised`);
    }
  }
  return { property, values };
}

/** Every stored envelope of `property`: in the companies' `custom` text and in the history. */
export async function storedValues(
  dataSource: DataSource,
  accountId: string,
  property: string,
): Promise<StoredValue[]> {
  const values: StoredValue[] = [];
  const contacts = await dataSource
    .createQueryBuilder()
    .select('c.id', 'id')
    .addSelect('c.custom', 'custom')
    .from('crm_company', 'c')
    .where('c.account_id = :accountId', { accountId })
    .getRawMany<{ id: string; custom: string }>();
  for (const row of contacts) {
    const envelope = (JSON.parse(row.custom) as Record<string, unknown>)[property];
    if (typeof envelope === 'string') {
      const place = recordValuePlace('crm_company', property, row.id);
      values.push({ ...place, envelope, place, formerPlace: place });
    }
  }
  const history = await dataSource
    .createQueryBuilder()
    .select(['h.id AS id', 'h.record_id AS record_id'])
    .addSelect(['h.old_value AS old_value', 'h.new_value AS new_value'])
    .from('crm_property_history', 'h')
    .where('h.account_id = :accountId', { accountId })
    .andWhere('h.property_name = :property', { property })
    .getRawMany<{
      id: string;
      record_id: string;
      old_value: string | null;
      new_value: string | null;
    }>();
  for (const row of history) {
    for (const [side, text] of [
      ['old', row.old_value],
      ['new', row.new_value],
    ] as const) {
      if (text !== null) {
        values.push({
          table: 'crm_property_history',
          column: property,
          recordId: `${row.id}:${side}`,
          envelope: JSON.parse(text) as string,
          ...historyValuePlaces(
            'crm_company',
            { id: row.id, recordId: row.record_id, propertyName: property },
            side,
          ),
        });
      }
    }
  }
  return values;
}

/** Opens every value with the account's keys (throws if one does not open): place → plaintext. */
export async function openAll(
  ciphers: AccountCiphers,
  accountId: string,
  values: readonly StoredValue[],
): Promise<Map<string, string>> {
  const cipher = await ciphers.forAccount(accountId);
  return new Map(values.map((v) => [placeKey(v), cipher.open(v.envelope, v.place, v.formerPlace)]));
}

/** How many stored values each key version sealed. */
export function versionCounts(values: readonly StoredValue[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { envelope } of values) {
    const version = keyVersionOf(envelope);
    counts[version] = (counts[version] ?? 0) + 1;
  }
  return counts;
}

/** The encryption status as `GET /api/v1/settings/encryption` returns it. */
export interface EncryptionStatusView {
  activeVersion: number | null;
  versions: { version: number; active: boolean; createdAt: string; values: number }[];
  versionsInUse: number[];
  rotation: {
    id: string;
    status: string;
    targetVersion: number;
    processed: number;
    totalEstimate: number | null;
    pass: number;
    unreadable: number;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
  } | null;
}

/** Polls the status until the rotation is over (or `timeoutMs` passed) and returns it. */
export async function waitForRotation(
  admin: Caller,
  timeoutMs = 60_000,
): Promise<EncryptionStatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = expectStatus(await admin.get('/api/v1/settings/encryption'), 200)
      .body as EncryptionStatusView;
    const over = status.rotation?.status === 'completed' || status.rotation?.status === 'failed';
    if (over || Date.now() > deadline) {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
