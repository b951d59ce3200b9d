import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionHost } from '@custos/core';
import {
  createTestDatabase,
  postgresPlanScans,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { AccountCiphers } from '../cipher/account-ciphers';
import {
  EnvelopeError,
  SubjectErasedError,
  envelopeFormatOf,
  keyScopeOf,
  type ValuePlace,
} from '../envelope/envelope';
import { DataKeyRecord } from '../keys/data-key.entity';
import { KeyRing } from '../keys/key-ring';
import { startCryptoApp } from '../testing/encrypted-test-support';
import { SubjectKeyRotationSource } from './subject-key-rotation-source';
import { SubjectKeyRecord } from './subject-key.entity';
import { STORED_KEYS_POSTGRES, SubjectKeys } from './subject-keys';
import { randomBytes } from 'node:crypto';

type Place = Omit<ValuePlace, 'accountId'>;

function placeOf(contactId: string, column = 'diagnosis'): Place {
  return {
    table: 'crm_contact',
    column,
    recordId: contactId,
    subject: { kind: 'contact', id: contactId },
  };
}

describe.each(testDatabaseKinds())(`${SubjectKeys.name} on %s`, (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let transactions: TransactionHost;
  let ciphers: AccountCiphers;
  let subjectKeys: SubjectKeys;
  let accounts = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ app, dataSource } = await startCryptoApp(database, randomBytes(32)));
    transactions = app.get(TransactionHost);
    ciphers = app.get(AccountCiphers);
    subjectKeys = app.get(SubjectKeys);
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  /** A fresh account for each test (the run order is shuffled). */
  const newAccount = () => `subject-account-${++accounts}-${randomBytes(4).toString('hex')}`;

  /** Seals `plaintext` for a contact in its own transaction, as a write would. */
  const sealFor = (accountId: string, contactId: string, plaintext: string, column?: string) =>
    transactions.run(async (manager) => {
      const cipher = await ciphers.forAccount(accountId);
      await cipher.loadSubjectKeys([{ kind: 'contact', id: contactId }], {
        forSealing: true,
        manager,
      });
      return cipher.seal(plaintext, placeOf(contactId, column));
    });

  /** Opens a contact's value with the keys as they are now, as a read would. */
  const openFor = async (accountId: string, contactId: string, envelope: string, at?: Place) => {
    const cipher = await ciphers.forAccount(accountId);
    const place = at ?? placeOf(contactId);
    await cipher.loadSubjectKeys([place.subject!]);
    return cipher.open(envelope, place);
  };

  /** Puts `from`'s wrapped key in `to`'s row (same generation): it does not unwrap at `to`'s place. */
  const copyWrappedKey = async (accountId: string, from: string, to: string) => {
    const { wrappedKey } = await dataSource.manager.findOneByOrFail(SubjectKeyRecord, {
      accountId,
      subjectId: from,
    });
    await dataSource.manager.update(SubjectKeyRecord, { accountId, subjectId: to }, { wrappedKey });
  };

  it('loads the keys of more subjects than one statement may bind (70,000 ids: an export of a whole account)', async () => {
    const accountId = newAccount();
    const sealed = [];
    for (const contactId of ['k-first', 'k-middle', 'k-last']) {
      sealed.push({ contactId, envelope: await sealFor(accountId, contactId, `v-${contactId}`) });
    }
    const ids = Array.from({ length: 70_000 }, (_, i) => `k-unknown-${i}`);
    ids.splice(0, 0, 'k-first');
    ids.splice(35_000, 0, 'k-middle');
    ids.push('k-last');
    const cipher = await ciphers.forAccount(accountId);
    await cipher.loadSubjectKeys(ids.map((id) => ({ kind: 'contact', id })));
    for (const { contactId, envelope } of sealed) {
      expect(cipher.open(envelope, placeOf(contactId))).toBe(`v-${contactId}`);
    }
  });

  if (kind === 'postgres') {
    it('reads a page of keys through the unique key, with statistics missing or fresh (no scan of the account’s keys)', async () => {
      const accountId = newAccount();
      await dataSource.query(
        `INSERT INTO crypto_subject_key (id, account_id, subject_kind, subject_id, generation, wrapped_key, created_at)
         SELECT 'plan-' || n, $1, 'contact', 'plan-c-' || n, 1, NULL, '2026-01-01T00:00:00.000Z'
         FROM generate_series(1, 20000) AS n`,
        [accountId],
      );
      const page = Array.from({ length: 1000 }, (_, i) => `plan-c-${i * 20 + 1}`);
      const scans = () =>
        postgresPlanScans(
          dataSource,
          STORED_KEYS_POSTGRES,
          [accountId, 'contact', page],
          'crypto_subject_key',
        );
      // As after a bulk load before autovacuum's analysis, then as after it.
      await dataSource.query(
        `DELETE FROM pg_statistic WHERE starelid = 'crypto_subject_key'::regclass`,
      );
      expect(await scans()).toEqual([
        {
          type: 'Index Scan',
          index: 'crypto_subject_key_subject_uq',
        },
      ]);
      await dataSource.query('ANALYZE crypto_subject_key');
      expect(await scans()).toEqual([
        {
          type: 'Index Scan',
          index: 'crypto_subject_key_subject_uq',
        },
      ]);
      const stored = await subjectKeys.stored(accountId, 'contact', [...page, 'plan-c-none']);
      expect(stored.map((row) => row.subjectId).sort()).toEqual([...page].sort());
    });
  }

  it('forgets the keys of a page of subjects: the cipher holds one page however many it read, and a key destroyed since is seen on the next load', async () => {
    const accountId = newAccount();
    const page = ['f-1', 'f-2', 'f-3'];
    const sealed = new Map<string, string>();
    for (const contactId of page) {
      sealed.set(contactId, await sealFor(accountId, contactId, `v-${contactId}`));
    }
    const cipher = await ciphers.forAccount(accountId);
    const subjects = page.map((id) => ({ kind: 'contact', id }));
    for (let n = 0; n < 4; n++) {
      await cipher.loadSubjectKeys(subjects);
      expect(cipher.loadedSubjectKeys).toBe(page.length);
      cipher.forgetSubjectKeys(subjects);
      expect(cipher.loadedSubjectKeys).toBe(0);
    }
    // Forgotten: no value opens on a key the cipher no longer holds.
    expect(() => cipher.open(sealed.get('f-1')!, placeOf('f-1'))).toThrow(/was not loaded/);
    await transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'f-2'));
    await cipher.loadSubjectKeys(subjects);
    expect(cipher.open(sealed.get('f-1')!, placeOf('f-1'))).toBe('v-f-1');
    expect(() => cipher.open(sealed.get('f-2')!, placeOf('f-2'))).toThrow(SubjectErasedError);
  });

  it('with cache: false, opens the values but leaves the process cache of unwrapped keys as it was', async () => {
    const accountId = newAccount();
    const subject = { kind: 'contact', id: 'c-once' };
    const envelope = await transactions.run(async (manager) => {
      const sealing = await ciphers.forAccount(accountId);
      await sealing.loadSubjectKeys([subject], { forSealing: true, manager, cache: false });
      return sealing.seal('v-once', placeOf('c-once'));
    });
    expect(subjectKeys.cached(accountId, subject)).toBe(false);
    const cipher = await ciphers.forAccount(accountId);
    await cipher.loadSubjectKeys([subject], { cache: false });
    expect(cipher.open(envelope, placeOf('c-once'))).toBe('v-once');
    expect(subjectKeys.cached(accountId, subject)).toBe(false);
    await expect(openFor(accountId, 'c-once', envelope)).resolves.toBe('v-once');
    expect(subjectKeys.cached(accountId, subject)).toBe(true);
  });

  it('unwraps a loaded key when a value first needs it, with the outcome an unwrap on loading gave: live, destroyed, not unwrapping, destroyed after the load', async () => {
    const accountId = newAccount();
    const ids = ['l-live', 'l-erased', 'l-unreadable', 'l-late', 'l-other'];
    const subjects = ids.map((id) => ({ kind: 'contact', id }));
    // Sealed without caching the keys: the cache shows which keys a load unwrapped.
    const sealed = await transactions.run(async (manager) => {
      const sealing = await ciphers.forAccount(accountId);
      await sealing.loadSubjectKeys(subjects, { forSealing: true, manager, cache: false });
      return new Map(ids.map((id) => [id, sealing.seal(`v-${id}`, placeOf(id))]));
    });
    await transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'l-erased'));
    await copyWrappedKey(accountId, 'l-other', 'l-unreadable');
    const cipher = await ciphers.forAccount(accountId);
    await cipher.loadSubjectKeys(subjects);
    // Loaded, none unwrapped yet: the cache of unwrapped keys holds none of them.
    expect(cipher.loadedSubjectKeys).toBe(ids.length);
    for (const id of ids) {
      expect(subjectKeys.cached(accountId, { kind: 'contact', id })).toBe(false);
    }
    // Destroyed after the load: its loaded key still opens (as a key unwrapped on loading did);
    // the next load sees the destruction.
    await transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'l-late'));
    expect(cipher.open(sealed.get('l-late')!, placeOf('l-late'))).toBe('v-l-late');
    expect(cipher.open(sealed.get('l-live')!, placeOf('l-live'))).toBe('v-l-live');
    expect(subjectKeys.cached(accountId, { kind: 'contact', id: 'l-live' })).toBe(true);
    expect(() => cipher.open(sealed.get('l-erased')!, placeOf('l-erased'))).toThrow(
      SubjectErasedError,
    );
    for (let n = 0; n < 2; n++) {
      expect(() => cipher.open(sealed.get('l-unreadable')!, placeOf('l-unreadable'))).toThrow(
        expect.objectContaining({ reason: 'unknown_key' }) as Error,
      );
    }
    // A value moved to another subject's place does not open with that subject's key.
    expect(() => cipher.open(sealed.get('l-other')!, placeOf('l-live'))).toThrow(
      expect.objectContaining({ reason: 'not_authentic' }) as Error,
    );
    await expect(openFor(accountId, 'l-late', sealed.get('l-late')!)).rejects.toBeInstanceOf(
      SubjectErasedError,
    );
  });

  it("seals a contact's value under the contact's own key, created once on first seal even when first seals race", async () => {
    const accountId = newAccount();
    const envelopes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sealFor(accountId, 'contact-a', `value ${i}`)),
    );
    expect(envelopes.map((envelope) => keyScopeOf(envelope))).toEqual(Array(6).fill('subject'));
    expect(envelopeFormatOf(envelopes[0])).toBe(3);
    const rows = await dataSource.manager.findBy(SubjectKeyRecord, { accountId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      subjectKind: 'contact',
      subjectId: 'contact-a',
      generation: 1,
    });
    for (const [i, envelope] of envelopes.entries()) {
      await expect(openFor(accountId, 'contact-a', envelope)).resolves.toBe(`value ${i}`);
    }
  });

  it("destroy() makes every copy of the subject's values unopenable (SubjectErasedError), idempotently, and leaves other subjects alone", async () => {
    const accountId = newAccount();
    const a = await sealFor(accountId, 'contact-a', 'A secret');
    const b = await sealFor(accountId, 'contact-b', 'B secret');
    await openFor(accountId, 'contact-a', a);
    expect(subjectKeys.cached(accountId, { kind: 'contact', id: 'contact-a' })).toBe(true);

    await expect(
      transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'contact-a')),
    ).resolves.toBe(true);
    // This instance no longer holds the key in memory.
    expect(subjectKeys.cached(accountId, { kind: 'contact', id: 'contact-a' })).toBe(false);
    const erased = openFor(accountId, 'contact-a', a);
    await expect(erased).rejects.toBeInstanceOf(SubjectErasedError);
    await expect(erased).rejects.toMatchObject({ reason: 'subject_erased' });
    await expect(openFor(accountId, 'contact-b', b)).resolves.toBe('B secret');

    await expect(
      transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'contact-a')),
    ).resolves.toBe(false);
    await expect(
      transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'never-sealed')),
    ).resolves.toBe(false);
    const [row] = await dataSource.manager.findBy(SubjectKeyRecord, {
      accountId,
      subjectId: 'contact-a',
    });
    expect(row).toMatchObject({ wrappedKey: null, keyVersion: null });
    expect(row.destroyedAt).toBeInstanceOf(Date);
  });

  it("rolls the destruction back with the caller's transaction", async () => {
    const accountId = newAccount();
    const a = await sealFor(accountId, 'contact-a', 'kept');
    await expect(
      transactions.run(async () => {
        await subjectKeys.destroy(accountId, 'contact', 'contact-a');
        throw new Error('erasure failed half-way');
      }),
    ).rejects.toThrow('erasure failed half-way');
    await expect(openFor(accountId, 'contact-a', a)).resolves.toBe('kept');
  });

  it('gives a subject sealed again after the destruction a new key: old values stay erased', async () => {
    const accountId = newAccount();
    const before = await sealFor(accountId, 'contact-a', 'before erasure');
    await transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'contact-a'));
    const after = await sealFor(accountId, 'contact-a', 'after erasure');
    await expect(openFor(accountId, 'contact-a', after)).resolves.toBe('after erasure');
    await expect(openFor(accountId, 'contact-a', before)).rejects.toBeInstanceOf(
      SubjectErasedError,
    );
    const [row] = await dataSource.manager.findBy(SubjectKeyRecord, { accountId });
    expect(row).toMatchObject({ generation: 2, destroyedAt: null });
  });

  it("does not show A's value as B's when someone with database access copies it into B's place", async () => {
    const accountId = newAccount();
    const a = await sealFor(accountId, 'contact-a', 'A secret');
    await sealFor(accountId, 'contact-b', 'B secret');
    const copied = openFor(accountId, 'contact-b', a);
    await expect(copied).rejects.toBeInstanceOf(EnvelopeError);
    await expect(copied).rejects.toMatchObject({ reason: 'not_authentic' });
    // Copied into another column of A itself, or where no subject is, it does not open either.
    await expect(
      openFor(accountId, 'contact-a', a, placeOf('contact-a', 'other')),
    ).rejects.toMatchObject({ reason: 'not_authentic' });
    const cipher = await ciphers.forAccount(accountId);
    expect(() =>
      cipher.open(a, { table: 'crm_company', column: 'diagnosis', recordId: 'contact-a' }),
    ).toThrow(expect.objectContaining({ reason: 'unknown_key' }) as Error);
  });

  it('does not serve a cached key once its stored wrapped text was changed in the database', async () => {
    const accountId = newAccount();
    const a = await sealFor(accountId, 'contact-a', 'A secret');
    await sealFor(accountId, 'contact-b', 'B secret');
    // Opened once: A's key is in this instance's cache.
    await expect(openFor(accountId, 'contact-a', a)).resolves.toBe('A secret');
    await copyWrappedKey(accountId, 'contact-b', 'contact-a');
    await expect(openFor(accountId, 'contact-a', a)).rejects.toMatchObject({
      reason: 'unknown_key',
    });
  });

  it("after a rotation re-wraps subject keys and the old account key is retired, the subjects' values still open", async () => {
    const accountId = newAccount();
    const envelopes = new Map<string, string>();
    for (const contact of ['contact-a', 'contact-b', 'contact-c']) {
      envelopes.set(contact, await sealFor(accountId, contact, `value of ${contact}`));
    }
    await transactions.run(() => subjectKeys.destroy(accountId, 'contact', 'contact-c'));
    const keyRing = app.get(KeyRing);
    const target = await keyRing.rotate(accountId);
    const source = new SubjectKeyRotationSource();
    await expect(source.countByVersion(dataSource.manager, accountId)).resolves.toEqual(
      new Map([[1, 2]]),
    );
    const result = await transactions.run(async (manager) =>
      source.reencryptBatch({
        manager,
        accountId,
        cipher: await ciphers.forAccount(accountId),
        targetVersion: target,
        after: null,
        limit: 2,
      }),
    );
    expect(result).toMatchObject({ reencrypted: 2, unreadable: 0, done: false });
    const rest = await transactions.run(async (manager) =>
      source.reencryptBatch({
        manager,
        accountId,
        cipher: await ciphers.forAccount(accountId),
        targetVersion: target,
        after: result.lastKey,
        limit: 2,
      }),
    );
    expect(rest).toMatchObject({ reencrypted: 0, done: true });
    await expect(source.countByVersion(dataSource.manager, accountId)).resolves.toEqual(
      new Map([[target, 2]]),
    );

    // Retire the old account key: only the new version is left to unwrap subject keys with.
    await dataSource.manager.delete(DataKeyRecord, { accountId, purpose: 'data', version: 1 });
    await expect(openFor(accountId, 'contact-a', envelopes.get('contact-a')!)).resolves.toBe(
      'value of contact-a',
    );
    await expect(openFor(accountId, 'contact-b', envelopes.get('contact-b')!)).resolves.toBe(
      'value of contact-b',
    );
    await expect(
      openFor(accountId, 'contact-c', envelopes.get('contact-c')!),
    ).rejects.toBeInstanceOf(SubjectErasedError);
  });
});
