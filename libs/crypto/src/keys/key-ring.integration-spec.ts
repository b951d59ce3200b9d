import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock, CoreModule, TransactionHost } from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { open, seal } from '../envelope/envelope';
import { CRYPTO_ENTITIES } from './crypto-entities';
import { DataKeyRecord } from './data-key.entity';
import { testKeyProvider } from '@custos/crypto/testing';
import { LocalKeyProvider } from './key-provider';
import { KeyRing } from './key-ring';

const place = { accountId: 'acc-1', table: 't', column: 'c', recordId: 'r' };

describe.each(testDatabaseKinds())(`${KeyRing.name} on %s`, (kind) => {
  let database: TestDatabase;
  let close: () => Promise<void>;
  let transactions: TransactionHost;
  let dataSource: DataSource;
  let clock: Clock;
  const master = randomBytes(32);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: CRYPTO_ENTITIES,
          synchronize: true,
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    transactions = app.get(TransactionHost);
    dataSource = app.get(DataSource);
    clock = app.get(Clock);
    close = async () => {
      await app.close();
      await database.drop();
    };
  });

  afterAll(async () => close());

  it('creates one active key per account even when first uses race', async () => {
    const ring = new KeyRing(transactions, new LocalKeyProvider(master), clock);
    const keys = await Promise.all(
      Array.from({ length: 10 }, () => transactions.run(() => ring.activeDataKey('race-account'))),
    );
    expect(new Set(keys.map((k) => k.key.export().toString('hex'))).size).toBe(1);
    await expect(
      dataSource
        .getRepository(DataKeyRecord)
        .countBy({ accountId: 'race-account', purpose: 'data' }),
    ).resolves.toBe(1);
  });

  it('stores keys only wrapped, and opens old values after a rotation', async () => {
    const ring = new KeyRing(transactions, new LocalKeyProvider(master), clock);
    const first = await ring.activeDataKey(place.accountId);
    const sealed = seal('secret', first, place);
    const version = await ring.rotate(place.accountId);
    const second = await ring.activeDataKey(place.accountId);
    expect(second.version).toBe(version);
    expect(second.version).toBe(first.version + 1);
    const fresh = new KeyRing(transactions, new LocalKeyProvider(master), clock);
    const key = await fresh.dataKey(place.accountId, first.version);
    expect(open(sealed, (v) => (v === first.version ? key : undefined), place)).toBe('secret');
    const stored = await dataSource
      .getRepository(DataKeyRecord)
      .findBy({ accountId: place.accountId });
    for (const record of stored) {
      expect(record.wrappedKey).not.toContain(first.key.export().toString('base64'));
    }
  });

  it('refuses to unwrap with another master key, saying what is wrong', async () => {
    await new KeyRing(transactions, new LocalKeyProvider(master), clock).activeDataKey('acc-wrong');
    const wrong = new KeyRing(transactions, testKeyProvider(), clock);
    await expect(wrong.activeDataKey('acc-wrong')).rejects.toThrow(
      'CUSTOS_MASTER_KEY is missing or wrong',
    );
  });

  it('keeps the blind-index key separate from the data keys', async () => {
    const ring = new KeyRing(transactions, new LocalKeyProvider(master), clock);
    const index = await ring.indexKey('acc-idx');
    const data = await ring.activeDataKey('acc-idx');
    expect(index.equals(data.key.export())).toBe(false);
  });
});
