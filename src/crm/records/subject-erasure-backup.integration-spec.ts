import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AccountCiphers, SubjectErasedError, SubjectKeys } from '@custos/crypto';
import { TransactionHost } from '@custos/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@custos/core/testing';
import { SensitiveDataService } from '../../sensitive-data';
import { PropertyDefinitionService } from '../properties';
import { RecordReader } from './record-reader.service';
import { RecordWriter } from './record-writer.service';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { historyValuePlaces, recordValuePlace } from '../sensitive';

const PROPERTY = 'diagnosis';

/** A contact's sealed values as a database holds them: the record's and its history's. */
interface SealedCopies {
  record: string;
  history: { id: string; side: 'old' | 'new'; envelope: string }[];
}

/** The sealed values of `contactId` in the database `dataSource` is connected to (raw rows). */
async function sealedCopies(dataSource: DataSource, contactId: string): Promise<SealedCopies> {
  const p = dataSource.options.type === 'postgres' ? '$1' : '?';
  const [row] = await dataSource.query<{ custom: string }[]>(
    `SELECT custom FROM crm_contact WHERE id = ${p}`,
    [contactId],
  );
  const history = await dataSource.query<
    { id: string; old_value: string | null; new_value: string | null }[]
  >(
    `SELECT id, old_value, new_value FROM crm_property_history WHERE record_id = ${p} AND property_name = '${PROPERTY}' ORDER BY id`,
    [contactId],
  );
  return {
    record: (JSON.parse(row.custom) as Record<string, string>)[PROPERTY],
    history: history.flatMap((h) =>
      (['old', 'new'] as const).flatMap((side) => {
        const text = side === 'old' ? h.old_value : h.new_value;
        return text === null ? [] : [{ id: h.id, side, envelope: JSON.parse(text) as string }];
      }),
    ),
  };
}

/**
 * Erasure reaches backups (issue 18): a backup taken before a contact's key is destroyed, restored
 * into a fresh database and read with the live keys (the key provider and the subject-key rows of
 * the live database), no longer yields that contact's sealed values; another contact's still open.
 */
describe.each(testDatabaseKinds())('Crypto-shredding of contacts on %s', (kind) => {
  let crm: CrmTestApp;
  let backupDir: string;
  const restored: TestDatabase[] = [];

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    backupDir = mkdtempSync(join(tmpdir(), 'custos-backup-'));
    await crm.as(crm.admin, async () => {
      await crm.app.get(SensitiveDataService).enable(['health_data']);
      await crm.app.get(PropertyDefinitionService).create('contacts', {
        name: PROPERTY,
        label: 'Diagnosis',
        type: 'string',
        sensitivity: { phi: true, highlySensitive: false, access: 'everyone' },
      });
    });
  });

  afterAll(async () => {
    await crm.close();
    for (const database of restored) {
      await database.drop();
    }
    rmSync(backupDir, { recursive: true, force: true });
  });

  const asAdmin = <T>(work: () => Promise<T>) => crm.as(crm.admin, work);

  /** A contact with a diagnosis changed once: sealed in the record and in two history values. */
  async function contactWithDiagnosis(name: string): Promise<string> {
    const writer = crm.app.get(RecordWriter);
    const { value } = await asAdmin(() =>
      writer.create('contacts', { lastname: name, [PROPERTY]: `${name} first` }),
    );
    await asAdmin(() => writer.update('contacts', value.id, { [PROPERTY]: `${name} second` }));
    return value.id;
  }

  /** A copy of the whole database as it is now, restored into a fresh one: a DataSource on it. */
  async function backupAndRestoreLater(): Promise<() => Promise<DataSource>> {
    if (kind === 'postgres') {
      const file = join(backupDir, `${Date.now()}.dump`);
      const url = (crm.dataSource.options as { url: string }).url;
      execFileSync('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, url]);
      return async () => {
        const database = await createTestDatabase('postgres');
        restored.push(database);
        execFileSync('pg_restore', ['--no-owner', `--dbname=${database.url}`, file]);
        return new DataSource({ type: 'postgres', url: database.url }).initialize();
      };
    }
    const file = join(backupDir, `${Date.now()}.sqlite`);
    // Everything in the write-ahead log goes into the file first, then the file is copied.
    await crm.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    copyFileSync(crm.dataSource.options.database as string, file);
    return () => new DataSource({ type: 'better-sqlite3', database: file }).initialize();
  }

  /** Opens a contact's copies with the live keys; each value, or `'erased'`. */
  async function openWithLiveKeys(contactId: string, copies: SealedCopies): Promise<string[]> {
    return asAdmin(async () => {
      const cipher = await crm.app.get(AccountCiphers).forAccount(crm.accountId);
      await cipher.loadSubjectKeys([{ kind: 'contact', id: contactId }]);
      const attempt = (open: () => string) => {
        try {
          return JSON.parse(open()) as string;
        } catch (error) {
          if (error instanceof SubjectErasedError) {
            return 'erased';
          }
          throw error;
        }
      };
      return [
        attempt(() =>
          cipher.open(copies.record, recordValuePlace('crm_contact', PROPERTY, contactId)),
        ),
        ...copies.history.map(({ id, side, envelope }) =>
          attempt(() => {
            const { place, formerPlace } = historyValuePlaces(
              'crm_contact',
              { id, recordId: contactId, propertyName: PROPERTY },
              side,
            );
            return cipher.open(envelope, place, formerPlace);
          }),
        ),
      ];
    });
  }

  it('a backup taken before the erasure, restored and read with the live keys, no longer yields the erased contact’s values', async () => {
    const erased = await contactWithDiagnosis('Erased');
    const kept = await contactWithDiagnosis('Kept');
    const restoreLater = await backupAndRestoreLater();

    await asAdmin(() =>
      crm.app
        .get(TransactionHost)
        .run(() => crm.app.get(SubjectKeys).destroy(crm.accountId, 'contact', erased)),
    );

    const backup = await restoreLater();
    try {
      const erasedCopies = await sealedCopies(backup, erased);
      const keptCopies = await sealedCopies(backup, kept);
      // The backup holds the values, sealed: the record's and both sides of the change.
      expect(erasedCopies.history).toHaveLength(3);
      expect(JSON.stringify(erasedCopies)).not.toContain('Erased first');
      expect(await openWithLiveKeys(erased, erasedCopies)).toEqual([
        'erased',
        'erased',
        'erased',
        'erased',
      ]);
      expect(await openWithLiveKeys(kept, keptCopies)).toEqual([
        'Kept second',
        'Kept first',
        'Kept first',
        'Kept second',
      ]);
    } finally {
      await backup.destroy();
    }
  });

  it('reads show an erased contact’s values as erased, record and history, not as an error', async () => {
    const erased = await contactWithDiagnosis('Shown erased');
    await asAdmin(() =>
      crm.app
        .get(TransactionHost)
        .run(() => crm.app.get(SubjectKeys).destroy(crm.accountId, 'contact', erased)),
    );
    const reader = crm.app.get(RecordReader);
    const { value: record } = await asAdmin(() => reader.get('contacts', erased));
    expect(record.erased).toEqual([PROPERTY]);
    expect(record.properties).not.toHaveProperty(PROPERTY);
    expect(record.properties).toMatchObject({ lastname: 'Shown erased' });
    const { value: history } = await asAdmin(() =>
      reader.history('contacts', erased, { property: PROPERTY }),
    );
    expect(history.results.map((h) => h.erased ?? [])).toEqual([
      ['newValue'],
      ['oldValue', 'newValue'],
    ]);
    const { value: page } = await asAdmin(() => reader.list('contacts', { limit: 100 }));
    expect(page.results.find((r) => r.id === erased)?.erased).toEqual([PROPERTY]);
  });

  it("does not show contact A's value as contact B's when someone with database access copies it into B's row", async () => {
    const a = await contactWithDiagnosis('Alice');
    const b = await contactWithDiagnosis('Bob');
    const aCopies = await sealedCopies(crm.dataSource, a);
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    await crm.dataSource.query(`UPDATE crm_contact SET custom = ${p(1)} WHERE id = ${p(2)}`, [
      JSON.stringify({ [PROPERTY]: aCopies.record }),
      b,
    ]);
    const { value: record } = await asAdmin(() => crm.app.get(RecordReader).get('contacts', b));
    expect(record.redacted).toContain(PROPERTY);
    expect(JSON.stringify(record)).not.toContain('Alice');
  });
});
