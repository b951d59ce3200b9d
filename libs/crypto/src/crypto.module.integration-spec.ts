import { randomBytes } from 'node:crypto';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@custos/core/testing';
import { CryptoModule } from './crypto.module';
import { Encrypted } from './encrypted/encrypted.decorator';
import { person, Person, startCryptoApp, userOf } from './testing/encrypted-test-support';
import { redactedFieldsOf } from './encrypted/redacted-fields';
import { DataKeyRecord } from './keys/data-key.entity';
import { LocalKeyProvider } from './keys/key-provider';
import { KeyRing } from './keys/key-ring';

@Entity('bad_generated')
class GeneratedId {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Encrypted()
  @Column({ type: 'text' })
  secret!: string;
}

@Entity('bad_type')
class IntegerColumn {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Encrypted()
  @Column({ type: 'integer' })
  secret!: number;
}

describe.each(testDatabaseKinds())(`${CryptoModule.name} on %s`, (kind) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
  });

  afterEach(async () => database.drop());

  /** Boots, runs `work` with the app, closes. */
  async function withApp<T>(
    masterKey: Buffer,
    work: (app: Awaited<ReturnType<typeof startCryptoApp>>) => Promise<T>,
    keyId?: string,
  ): Promise<T> {
    const started = await startCryptoApp(database, masterKey, [Person], keyId);
    try {
      return await work(started);
    } finally {
      await started.app.close();
    }
  }

  const readName = (started: Awaited<ReturnType<typeof startCryptoApp>>, id: string) =>
    started.context.runAs(userOf('acc-1'), () =>
      started.dataSource.getRepository(Person).findOneByOrFail({ id }),
    );

  it('refuses to start when the stored keys do not unwrap with the master key', async () => {
    const master = randomBytes(32);
    const id = await withApp(master, async ({ dataSource }) => {
      return (await dataSource.getRepository(Person).save(person('acc-1', { name: 'Ada' }))).id;
    });
    await expect(withApp(randomBytes(32), async () => undefined)).rejects.toThrow(
      'CUSTOS_MASTER_KEY is missing or wrong',
    );
    await expect(withApp(master, async (app) => (await readName(app, id)).name)).resolves.toBe(
      'Ada',
    );
  });

  it('starts on an empty database with any master key', async () => {
    await expect(withApp(randomBytes(32), async () => 'started')).resolves.toBe('started');
  });

  it('re-wraps every key under a new master key: old values open with the new key only', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const ids = await withApp(oldKey, async ({ app, dataSource }) => {
      const people = dataSource.getRepository(Person);
      const a = await people.save(person('acc-1', { name: 'Ada', nationalId: 'X1' }));
      await app.get(KeyRing).rotate('acc-1');
      const b = await people.save(person('acc-1', { name: 'Grace' }));
      await people.save(person('acc-2', { name: 'Linus' }));
      const before = await dataSource.getRepository(DataKeyRecord).find({ order: { id: 'ASC' } });
      await expect(
        app.get(KeyRing).rewrapAll(new LocalKeyProvider(newKey, 'local-2')),
      ).resolves.toBe(before.length);
      const after = await dataSource.getRepository(DataKeyRecord).find({ order: { id: 'ASC' } });
      expect(after.map((r) => r.kekId)).toEqual(before.map(() => 'local-2'));
      after.forEach((r, i) => expect(r.wrappedKey).not.toBe(before[i].wrappedKey));
      // The rotating process goes on with the new key: a new account's key is wrapped by it.
      await people.save(person('acc-3', { name: 'new account' }));
      return [a.id, b.id];
    });
    await expect(withApp(oldKey, async () => undefined)).rejects.toThrow(
      'CUSTOS_MASTER_KEY is missing or wrong',
    );
    await withApp(
      newKey,
      async (app) => {
        const [a, b] = await Promise.all(ids.map((id) => readName(app, id)));
        expect([a.name, b.name]).toEqual(['Ada', 'Grace']);
        expect(a.nationalId).toBe('X1');
        expect(redactedFieldsOf(a).size).toBe(0);
      },
      'local-2',
    );
  });

  it.each([
    ['a database-generated id', GeneratedId, 'assign ids in the application'],
    ['an integer column', IntegerColumn, "declare it @Column({ type: 'text' })"],
  ])('refuses to start with an encrypted entity declaring %s', async (_label, entity, message) => {
    await expect(startCryptoApp(database, randomBytes(32), [entity])).rejects.toThrow(message);
  });
});
