import { Logger, type INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import type { DataSource, Repository } from 'typeorm';
import { Clock, TransactionHost, type RequestContext } from '@custos/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@custos/core/testing';
import { keyVersionOf } from '../envelope/envelope';
import { LocalKeyProvider } from '../keys/key-provider';
import { KeyRing } from '../keys/key-ring';
import { BlindIndexQuery } from './blind-index-query';
import { EncryptedColumnError } from './encrypted-entity';
import { person, Person, startCryptoApp, userOf } from '../testing/encrypted-test-support';
import { redactedFieldsOf } from './redacted-fields';

const CANARY = 'canary-7f3e9d1c-plaintext';

describe.each(testDatabaseKinds())('@Encrypted columns on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  let context: RequestContext;
  let people: Repository<Person>;
  const accountId = 'acc-main';
  const masterKey = randomBytes(32);

  /** Runs `work` as a user of `account` (the default policy decrypts only then). */
  const as = <T>(account: string, work: () => Promise<T>, actorKind = 'user' as const) =>
    context.runAs(userOf(account, actorKind), work);
  const load = (id: string, account = accountId) =>
    as(account, () => people.findOneByOrFail({ id }));
  const param = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
  const rawRow = async (id: string): Promise<Record<string, unknown>> =>
    (
      await dataSource.query<Record<string, unknown>[]>(
        `SELECT * FROM person WHERE id = ${param(1)}`,
        [id],
      )
    )[0];
  const rawSet = (id: string, column: string, value: unknown) =>
    dataSource.query(`UPDATE person SET ${column} = ${param(1)} WHERE id = ${param(2)}`, [
      value,
      id,
    ]);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ app, dataSource, context } = await startCryptoApp(database, masterKey));
    people = dataSource.getRepository(Person);
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  describe('round trip of every supported type through a real entity', () => {
    const roundTrip = async (fields: Partial<Person>): Promise<Person> => {
      const saved = await people.save(person(accountId, fields));
      return load(saved.id);
    };

    it('strings', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (value) => {
          expect((await roundTrip({ name: value })).name).toBe(value);
        }),
        { numRuns: 25 },
      );
    });

    it('numbers, NaN, infinities and -0 included', async () => {
      await fc.assert(
        fc.asyncProperty(fc.double(), async (value) => {
          expect(Object.is((await roundTrip({ age: value })).age, value)).toBe(true);
        }),
        { numRuns: 25 },
      );
    });

    it('booleans', async () => {
      for (const value of [true, false]) {
        expect((await roundTrip({ active: value })).active).toBe(value);
      }
    });

    it('dates, invalid ones included', async () => {
      await fc.assert(
        fc.asyncProperty(fc.date({ noInvalidDate: false }), async (value) => {
          const loaded = (await roundTrip({ bornAt: value })).bornAt!;
          expect(loaded).toBeInstanceOf(Date);
          expect(Object.is(loaded.getTime(), value.getTime())).toBe(true);
        }),
        { numRuns: 25 },
      );
    });

    it('JSON values', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
          // Compared as JSON text: -0 and 0 are one JSON value.
          const loaded = (await roundTrip({ profile: value })).profile as unknown;
          expect(JSON.stringify(loaded)).toBe(JSON.stringify(value));
        }),
        { numRuns: 25 },
      );
    });

    it('bigints', async () => {
      await fc.assert(
        fc.asyncProperty(fc.bigInt(), async (value) => {
          expect((await roundTrip({ big: value })).big).toBe(value);
        }),
        { numRuns: 25 },
      );
    });

    it('null stays null and is not redacted', async () => {
      const loaded = await roundTrip({ name: null, nationalId: null });
      expect(loaded.name).toBeNull();
      expect(loaded.nationalIdBidx).toBeNull();
      expect(redactedFieldsOf(loaded).size).toBe(0);
    });
  });

  describe('what the database holds', () => {
    it('holds envelopes only, no plaintext, and gives the written object its plaintext back', async () => {
      const entity = person(accountId, {
        name: CANARY,
        nationalId: `${CANARY}-id`,
        profile: { secret: CANARY },
        note: 'plain',
      });
      await people.save(entity);
      expect(entity.name).toBe(CANARY);
      expect(entity.profile).toEqual({ secret: CANARY });
      const row = await rawRow(entity.id);
      expect(JSON.stringify(row)).not.toContain('canary');
      expect(row.full_name).toMatch(/^cx1\./);
      expect(row.note).toBe('plain');
      expect(row.national_id_bidx).toMatch(/^[0-9a-f]{16}$/);
    });

    if (kind === 'sqlite') {
      it('leaves no plaintext in the database file', async () => {
        await people.save(person(accountId, { name: `${CANARY}-file`, nationalId: CANARY }));
        await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
        const file = database.url.slice('sqlite:'.length);
        for (const path of [file, `${file}-wal`, `${file}-journal`]) {
          if (existsSync(path)) {
            expect(readFileSync(path).includes(Buffer.from('canary'))).toBe(false);
          }
        }
        // The check would see a plaintext value: the plain column of the same table is there.
        await people.save(person(accountId, { note: 'visible-note-marker' }));
        await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
        expect(readFileSync(file).includes(Buffer.from('visible-note-marker'))).toBe(true);
      });
    }
  });

  describe('write paths', () => {
    it('save() updates only changed encrypted columns and re-seals them', async () => {
      const entity = await people.save(person(accountId, { name: 'Ada', age: 36 }));
      const before = await rawRow(entity.id);
      const loaded = await load(entity.id);
      loaded.age = 37;
      await as(accountId, () => people.save(loaded));
      const after = await rawRow(entity.id);
      expect(after.full_name).toBe(before.full_name);
      expect(after.age).not.toBe(before.age);
      expect(loaded.age).toBe(37);
      expect((await load(entity.id)).age).toBe(37);
    });

    it('save() of a partial object takes the account from the stored row', async () => {
      const entity = await people.save(person(accountId, { name: 'Ada' }));
      await people.save({ id: entity.id, name: 'Grace' });
      expect((await load(entity.id)).name).toBe('Grace');
    });

    it('insert(), upsert() and the query builder insert seal too', async () => {
      const inserted = person(accountId, { name: `${CANARY}-insert` });
      await people.insert(inserted);
      expect(inserted.name).toBe(`${CANARY}-insert`);
      const upserted = person(accountId, { name: `${CANARY}-upsert` });
      await people.upsert(upserted, ['id']);
      const built = person(accountId, { name: `${CANARY}-qb` });
      await dataSource.createQueryBuilder().insert().into(Person).values(built).execute();
      for (const entity of [inserted, upserted, built]) {
        expect(JSON.stringify(await rawRow(entity.id))).not.toContain('canary');
        expect((await load(entity.id)).name).toBe(entity.name);
      }
    });

    it('update() seals when the values name the record and its account', async () => {
      const entity = await people.save(person(accountId, { name: 'Ada' }));
      await people.update(entity.id, { id: entity.id, accountId, name: `${CANARY}-upd` });
      expect(JSON.stringify(await rawRow(entity.id))).not.toContain('canary');
      expect((await load(entity.id)).name).toBe(`${CANARY}-upd`);
      await people.update(entity.id, { name: null });
      expect((await load(entity.id)).name).toBeNull();
    });

    it('update() without the record id is refused: it cannot tell which record the value is bound to', async () => {
      const entity = await people.save(person(accountId, { name: 'Ada' }));
      await expect(people.update(entity.id, { name: CANARY })).rejects.toThrow(
        EncryptedColumnError,
      );
      await expect(
        dataSource
          .createQueryBuilder()
          .update(Person)
          .set({ name: CANARY })
          .where('id = :id', { id: entity.id })
          .execute(),
      ).rejects.toThrow('use save() on the entity');
      expect(JSON.stringify(await rawRow(entity.id))).not.toContain('canary');
    });

    it('refuses a record without an id or an account before anything is written', async () => {
      await expect(people.insert({ accountId, name: CANARY })).rejects.toThrow(
        'assign it in the application',
      );
      await expect(
        people.save(Object.assign(new Person(), { id: 'no-account-1', name: CANARY })),
      ).rejects.toThrow('set accountId');
    });

    it('raw query() bypasses the subscriber: such a value reads back redacted', async () => {
      const entity = await people.save(person(accountId, { name: 'Ada' }));
      await rawSet(entity.id, 'full_name', 'written around the subscriber');
      const loaded = await load(entity.id);
      expect(loaded.name).toBeNull();
      expect([...redactedFieldsOf(loaded)]).toEqual(['name']);
    });

    it('seals with a data key rotated by another process at the next write', async () => {
      const account = 'acc-rotation';
      const first = await people.save(person(account, { name: 'before' }));
      const version = keyVersionOf((await rawRow(first.id)).full_name as string);
      // Another process: its own KeyRing instance over the same database.
      const other = new KeyRing(
        app.get(TransactionHost),
        new LocalKeyProvider(masterKey),
        app.get(Clock),
      );
      await expect(other.rotate(account)).resolves.toBe(version + 1);
      const second = await people.save(person(account, { name: 'after' }));
      expect(keyVersionOf((await rawRow(second.id)).full_name as string)).toBe(version + 1);
      expect((await load(first.id, account)).name).toBe('before');
      expect((await load(second.id, account)).name).toBe('after');
    });
  });

  describe('read policy', () => {
    let id: string;
    beforeAll(async () => {
      id = (await people.save(person(accountId, { name: 'Ada', nationalId: '756' }))).id;
    });

    it.each([
      ['no actor', (work: () => Promise<Person>) => work()],
      [
        'a support actor',
        (work: () => Promise<Person>) => context.runAs(userOf(accountId, 'support'), work),
      ],
      [
        'a partner admin (mayDecryptSensitive: partner admins never decrypt)',
        (work: () => Promise<Person>) => context.runAs(userOf(accountId, 'partner_admin'), work),
      ],
      ['an actor of another account', (work: () => Promise<Person>) => as('acc-other', work)],
    ])('decrypts nothing for %s and reports the fields as redacted', async (_label, run) => {
      const loaded = await run(() => people.findOneByOrFail({ id }));
      expect(loaded.name).toBeNull();
      expect(loaded.nationalId).toBeNull();
      expect(redactedFieldsOf(loaded)).toEqual(new Set(['name', 'nationalId']));
    });

    it('saving an entity loaded redacted keeps the stored values', async () => {
      const loaded = await people.findOneByOrFail({ id });
      loaded.note = 'changed by a reader who cannot decrypt';
      await people.save(loaded);
      const again = await load(id);
      expect(again.name).toBe('Ada');
      expect(again.note).toBe('changed by a reader who cannot decrypt');
      expect(redactedFieldsOf(again).size).toBe(0);
    });
  });

  describe('values that do not open', () => {
    let errors: jest.SpyInstance;
    beforeEach(() => {
      errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => errors.mockRestore());

    const expectRedacted = async (
      id: string,
      property: keyof Person,
      column: string,
      account = accountId,
    ) => {
      const loaded = await load(id, account);
      expect(loaded[property]).toBeNull();
      expect(redactedFieldsOf(loaded).has(property)).toBe(true);
      const logged = errors.mock.calls.map((call) => String(call[0])).join('\n');
      expect(logged).toContain(`table person, column ${column}, record ${id}`);
      expect(logged).toMatch(/reason (not_authentic|malformed|unknown_key)/);
      expect(logged).not.toContain('canary');
      errors.mockClear();
      return loaded;
    };

    it('any flipped byte of the stored envelope', async () => {
      const entity = await people.save(person(accountId, { name: CANARY, note: 'kept' }));
      const envelope = (await rawRow(entity.id)).full_name as string;
      const bytes = Buffer.from(envelope.slice(4), 'base64url');
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: bytes.length - 1 }),
          fc.integer({ min: 1, max: 255 }),
          async (position, mask) => {
            const tampered = Buffer.from(bytes);
            tampered[position] ^= mask;
            await rawSet(entity.id, 'full_name', `cx1.${tampered.toString('base64url')}`);
            const loaded = await expectRedacted(entity.id, 'name', 'full_name');
            expect(loaded.note).toBe('kept');
          },
        ),
        { numRuns: 30 },
      );
    });

    it('a truncated tag', async () => {
      const entity = await people.save(person(accountId, { name: CANARY }));
      const envelope = (await rawRow(entity.id)).full_name as string;
      await rawSet(entity.id, 'full_name', envelope.slice(0, -8));
      await expectRedacted(entity.id, 'name', 'full_name');
    });

    it('a ciphertext swapped between rows, fields and accounts', async () => {
      const a = await people.save(
        person(accountId, { name: `${CANARY}-a`, nationalId: `${CANARY}-n` }),
      );
      const b = await people.save(person(accountId, { name: `${CANARY}-b` }));
      const other = await people.save(person('acc-else', { name: `${CANARY}-c` }));
      const rowA = await rawRow(a.id);
      const rowB = await rawRow(b.id);
      await rawSet(a.id, 'full_name', rowB.full_name);
      await rawSet(b.id, 'full_name', rowA.full_name);
      await expectRedacted(a.id, 'name', 'full_name');
      await expectRedacted(b.id, 'name', 'full_name');
      await rawSet(a.id, 'full_name', rowA.national_id);
      await expectRedacted(a.id, 'name', 'full_name');
      // The same record id under another account: copy the other account's row into this one.
      await rawSet(other.id, 'account_id', accountId);
      await expectRedacted(other.id, 'name', 'full_name');
    });

    it('a value sealed with a key version the account does not have', async () => {
      const entity = await people.save(person(accountId, { name: CANARY }));
      const bytes = Buffer.from(
        ((await rawRow(entity.id)).full_name as string).slice(4),
        'base64url',
      );
      bytes.writeUInt32BE(9999, 1);
      await rawSet(entity.id, 'full_name', `cx1.${bytes.toString('base64url')}`);
      await expectRedacted(entity.id, 'name', 'full_name');
    });

    it('does not fail a list: other rows load decrypted', async () => {
      const good = await people.save(person('acc-list', { name: 'good' }));
      const bad = await people.save(person('acc-list', { name: 'bad' }));
      await rawSet(bad.id, 'full_name', 'cx1.AAAA');
      const loaded = await as('acc-list', () => people.findBy({ accountId: 'acc-list' }));
      const byId = new Map(loaded.map((p) => [p.id, p]));
      expect(byId.get(good.id)!.name).toBe('good');
      expect(byId.get(bad.id)!.name).toBeNull();
      expect(redactedFieldsOf(byId.get(bad.id)!).has('name')).toBe(true);
    });
  });

  describe('blind index', () => {
    it('finds the row by its value, whatever the case and spacing', async () => {
      const blindIndex = app.get(BlindIndexQuery);
      const entity = await people.save(person('acc-bidx', { nationalId: 'AB-756.1234' }));
      await people.save(person('acc-bidx', { nationalId: 'AB-756.9999' }));
      await people.save(person('acc-bidx-2', { nationalId: 'AB-756.1234' }));
      const found = await as('acc-bidx', async () =>
        people.findBy({
          accountId: 'acc-bidx',
          ...(await blindIndex.where(Person, 'nationalId', 'acc-bidx', ' ab-756.1234 ')),
        }),
      );
      expect(found.map((p) => p.id)).toEqual([entity.id]);
      expect(found[0].nationalId).toBe('AB-756.1234');
    });

    it('refuses a property without a blind index', async () => {
      await expect(app.get(BlindIndexQuery).token(Person, 'name', accountId, 'x')).rejects.toThrow(
        'has no blind index',
      );
    });
  });
});
