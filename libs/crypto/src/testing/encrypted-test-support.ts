import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { CoreModule, RequestContext, newId, type Actor } from '@custos/core';
import { connectionOptionsOf, type TestDatabase } from '@custos/core/testing';
import { CryptoModule } from '../crypto.module';
import { CRYPTO_ENTITIES } from '../keys/crypto-entities';
import { LocalKeyProvider } from '../keys/key-provider';
import { Encrypted } from '../encrypted/encrypted.decorator';

/** A consumer's entity with one encrypted column of every supported type. */
@Entity('person')
export class Person {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Encrypted()
  @Column({ name: 'full_name', type: 'text', nullable: true })
  name?: string | null;

  @Encrypted()
  @Column({ type: 'text', nullable: true })
  age?: number | null;

  @Encrypted()
  @Column({ type: 'text', nullable: true })
  active?: boolean | null;

  @Encrypted()
  @Column({ name: 'born_at', type: 'text', nullable: true })
  bornAt?: Date | null;

  @Encrypted()
  @Column({ type: 'text', nullable: true })
  profile?: object | string | number | boolean | null;

  @Encrypted()
  @Column({ type: 'text', nullable: true })
  big?: bigint | null;

  @Encrypted({ blindIndex: 'national_id_bidx' })
  @Column({ name: 'national_id', type: 'text', nullable: true })
  nationalId?: string | null;

  @Column({ name: 'national_id_bidx', type: 'varchar', length: 16, nullable: true })
  nationalIdBidx?: string | null;

  /** Not encrypted: shows the subscriber leaves other columns alone. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  note?: string | null;
}

export function person(accountId: string, fields: Partial<Person> = {}): Person {
  return Object.assign(new Person(), { id: newId(), accountId, ...fields });
}

export function userOf(accountId: string, kind: Actor['kind'] = 'user'): Actor {
  return { kind, id: 'u-1', accountId, userId: 'u-1', label: 'tester', superAdmin: false };
}

/** A Nest app with CoreModule, TypeORM (entities synchronised) and CryptoModule under `masterKey`. */
export async function startCryptoApp(
  database: TestDatabase,
  masterKey: Buffer,
  entities: (new () => object)[] = [Person],
  keyId = 'local',
): Promise<{ app: INestApplication; dataSource: DataSource; context: RequestContext }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot({}),
      TypeOrmModule.forRoot({
        ...connectionOptionsOf(database),
        entities: [...CRYPTO_ENTITIES, ...entities],
        synchronize: true,
      }),
      CryptoModule.forRoot({ keyProvider: new LocalKeyProvider(masterKey, keyId) }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return { app, dataSource: app.get(DataSource), context: app.get(RequestContext) };
}
