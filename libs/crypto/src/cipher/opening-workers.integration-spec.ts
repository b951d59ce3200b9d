import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { TransactionHost } from '@custos/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@custos/core/testing';
import { EnvelopeError, type ValuePlace } from '../envelope/envelope';
import { KeyRing } from '../keys/key-ring';
import { SubjectKeyRecord } from '../subjects/subject-key.entity';
import { SubjectKeys } from '../subjects/subject-keys';
import { unwrapSubjectKey } from '../subjects/subject-key-state';
import { startCryptoApp } from '../testing/encrypted-test-support';
import { AccountCiphers } from './account-ciphers';
import { OpeningWorkers } from './opening-workers';
import { sealedPage } from './sealed-page';

type Place = Omit<ValuePlace, 'accountId'>;

const placeOf = (contactId: string, column: string): Place => ({
  table: 'crm_contact',
  column,
  recordId: contactId,
  subject: { kind: 'contact', id: contactId },
});

/** What a read makes of one value: its plaintext, or the error's class and reason. */
type Outcome = string | { error: string; reason?: string };

describe.each(testDatabaseKinds())(`${OpeningWorkers.name} on %s`, (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let transactions: TransactionHost;
  /** Ciphers opening inline (0) and with 1 and 2 workers, every page sent to them. */
  let pools: Map<number, { workers: OpeningWorkers; ciphers: AccountCiphers }>;
  const accountId = `opening-${randomBytes(4).toString('hex')}`;
  const contacts = Array.from({ length: 12 }, (_, i) => `oc-${i}`);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ app, dataSource } = await startCryptoApp(database, randomBytes(32)));
    transactions = app.get(TransactionHost);
    pools = new Map(
      [0, 1, 2].map((threads) => {
        const workers = new OpeningWorkers({ threads, fromValues: 1 });
        return [
          threads,
          { workers, ciphers: new AccountCiphers(app.get(KeyRing), app.get(SubjectKeys), workers) },
        ];
      }),
    );
    // Every contact has a live key.
    await transactions.run(async (manager) => {
      const cipher = await app.get(AccountCiphers).forAccount(accountId);
      await cipher.loadSubjectKeys(
        contacts.map((id) => ({ kind: 'contact', id })),
        { forSealing: true, manager },
      );
    });
  });

  afterAll(async () => {
    for (const { workers } of pools?.values() ?? []) {
      await workers.close();
    }
    await app?.close();
    await database?.drop();
  });

  const seal = async (contactId: string, column: string, plaintext: string) => {
    const cipher = await app.get(AccountCiphers).forAccount(accountId);
    await cipher.loadSubjectKeys([{ kind: 'contact', id: contactId }], { forSealing: true });
    return cipher.seal(plaintext, placeOf(contactId, column));
  };

  /** A page read as an export reads it: opened ahead, each value opened at its place, let go of. */
  const read = async (
    threads: number,
    values: { envelope: string; place: Place }[],
  ): Promise<Outcome[]> => {
    const cipher = await pools.get(threads)!.ciphers.forAccount(accountId);
    await cipher.openAhead(values);
    const outcomes = values.map(({ envelope, place }): Outcome => {
      try {
        return cipher.open(envelope, place);
      } catch (error) {
        return error instanceof EnvelopeError
          ? { error: error.name, reason: error.reason }
          : { error: (error as Error).message };
      }
    });
    cipher.forgetSubjectKeys(values.flatMap(({ place }) => place.subject ?? []));
    cipher.forgetOpenedAhead(values.map(({ place }) => place.recordId));
    expect(cipher.loadedSubjectKeys).toBe(0);
    return outcomes;
  };

  it('opens a page with 1 or 2 workers exactly as inline: any unicode, a value tampered with or moved, an unknown subject', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            contact: fc.integer({ min: 0, max: contacts.length - 1 }),
            column: fc.constantFrom('national_id', 'diagnosis', 'iban'),
            text: fc.string({ unit: 'grapheme', maxLength: 40 }),
            damage: fc.constantFrom('none', 'none', 'none', 'tampered', 'moved', 'unknown'),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (specs) => {
          const values = [];
          for (const { contact, column, text, damage } of specs) {
            const id = contacts[contact];
            let envelope = await seal(id, column, text);
            let place = placeOf(id, column);
            if (damage === 'tampered') {
              const at = 10 + (text.length % 10);
              envelope =
                envelope.slice(0, at) + (envelope[at] === 'A' ? 'B' : 'A') + envelope.slice(at + 1);
            } else if (damage === 'moved') {
              place = placeOf(contacts[(contact + 1) % contacts.length], column);
            } else if (damage === 'unknown') {
              place = placeOf('oc-never-sealed', column);
            }
            values.push({ envelope, place });
          }
          const inline = await read(0, values);
          expect(await read(1, values)).toEqual(inline);
          expect(await read(2, values)).toEqual(inline);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a key destroyed between two pages: the next page shows its values erased, with workers as inline', async () => {
    const victim = `oc-destroyed-${kind}`;
    const values = [
      { envelope: await seal(victim, 'diagnosis', 'before'), place: placeOf(victim, 'diagnosis') },
      {
        envelope: await seal(contacts[0], 'diagnosis', 'kept'),
        place: placeOf(contacts[0], 'diagnosis'),
      },
    ];
    for (const threads of [0, 1, 2]) {
      expect(await read(threads, values)).toEqual(['before', 'kept']);
    }
    await transactions.run(() => app.get(SubjectKeys).destroy(accountId, 'contact', victim));
    const erased = { error: 'SubjectErasedError', reason: 'subject_erased' };
    for (const threads of [0, 1, 2]) {
      expect(await read(threads, values)).toEqual([erased, 'kept']);
    }
  });

  it('a stored subject key that does not unwrap makes its values unknown-key, with workers as inline', async () => {
    const broken = `oc-broken-${kind}`;
    const values = [
      { envelope: await seal(broken, 'iban', 'gone'), place: placeOf(broken, 'iban') },
    ];
    const row = await dataSource.manager.findOneByOrFail(SubjectKeyRecord, {
      accountId,
      subjectId: broken,
    });
    const wrapped = row.wrappedKey!;
    const flipped = wrapped.slice(0, 20) + (wrapped[20] === 'A' ? 'B' : 'A') + wrapped.slice(21);
    await dataSource.manager.update(SubjectKeyRecord, { id: row.id }, { wrappedKey: flipped });
    const unknown = { error: 'EnvelopeError', reason: 'unknown_key' };
    for (const threads of [0, 1, 2]) {
      expect(await read(threads, values)).toEqual([unknown]);
    }
  });

  it('a page that fails in a worker, or a worker that dies, fails the page with an error that names no key', async () => {
    const workers = new OpeningWorkers({ threads: 1, fromValues: 1 });
    const { keys } = await app.get(KeyRing).accountKeys(accountId);
    const row = await dataSource.manager.findOneByOrFail(SubjectKeyRecord, {
      accountId,
      subjectId: contacts[1],
    });
    const secrets = [
      ...[...keys.values()].map((key) => key.export()),
      unwrapSubjectKey(row, keys),
    ].flatMap((bytes) => [
      bytes.toString('hex'),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ]);
    const envelope = await seal(contacts[1], 'iban', 'secret-plaintext');
    const at = { accountId, ...placeOf(contacts[1], 'iban') };
    // A value of a subject whose key the page does not carry: the worker throws, the page fails.
    const failing = workers.open(sealedPage(accountId, keys, [], [{ envelope, place: at }]));
    const failed = await failing.then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failed?.message).toMatch(/did not open a page: it failed \(Error\)/);
    // A worker killed while it opens a page.
    const page = sealedPage(
      accountId,
      keys,
      [{ kind: 'contact', ids: [contacts[1]], rows: [row] }],
      Array.from({ length: 20_000 }, () => ({ envelope, place: at })),
    );
    const killed = workers.open(page).then(
      () => undefined,
      (error: Error) => error,
    );
    await workers.close();
    const died = await killed;
    expect(died?.message).toMatch(/did not open a page/);
    for (const message of [failed!.message, died!.message, failed!.stack, died!.stack]) {
      for (const secret of secrets) {
        expect(message).not.toContain(secret);
      }
      expect(message).not.toContain('secret-plaintext');
    }
    // Closed: the next page opens inline, as with no workers.
    expect(workers.takes(10_000)).toBe(false);
  });
});
