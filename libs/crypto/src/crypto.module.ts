import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, RequestContext, TransactionHost } from '@custos/core';
import { AccountCiphers } from './cipher/account-ciphers';
import { OpeningWorkers } from './cipher/opening-workers';
import {
  CRYPTO_MODULE_OPTIONS,
  CryptoConfigurableModule,
  type CryptoModuleOptions,
} from './crypto.module-definition';
import { BlindIndexQuery } from './encrypted/blind-index-query';
import { EncryptionSubscriber, verifyEncryptedEntities } from './encrypted/encryption.subscriber';
import {
  ActorReadPolicy,
  ENCRYPTED_FIELD_READ_POLICY,
  type EncryptedFieldReadPolicy,
} from './encrypted/read-policy';
import { CRYPTO_ENTITIES } from './keys/crypto-entities';
import { KeyRing } from './keys/key-ring';
import { SubjectKeys } from './subjects/subject-keys';

/**
 * Per-account keys, the ciphers built on them and `@Encrypted` columns. Import once with
 * `CryptoModule.forRoot({ keyProvider })` next to `CoreModule.forRoot()` and a TypeORM connection
 * that includes `CRYPTO_ENTITIES`. Registers its TypeORM subscriber on the default `DataSource`.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CRYPTO_ENTITIES)],
  providers: [
    {
      provide: KeyRing,
      inject: [TransactionHost, CRYPTO_MODULE_OPTIONS, Clock],
      useFactory: (transactions: TransactionHost, options: CryptoModuleOptions, clock: Clock) =>
        new KeyRing(transactions, options.keyProvider, clock),
    },
    {
      provide: ENCRYPTED_FIELD_READ_POLICY,
      inject: [CRYPTO_MODULE_OPTIONS, ModuleRef, RequestContext],
      useFactory: (
        options: CryptoModuleOptions,
        moduleRef: ModuleRef,
        context: RequestContext,
      ): EncryptedFieldReadPolicy => {
        const token = options.readPolicy;
        if (token === undefined) {
          return new ActorReadPolicy(context);
        }
        // Looked up lazily: the policy's module usually depends on this one.
        let policy: EncryptedFieldReadPolicy | undefined;
        return {
          canDecrypt: (entity, field) => {
            policy ??= moduleRef.get<EncryptedFieldReadPolicy>(token, { strict: false });
            return policy.canDecrypt(entity, field);
          },
        };
      },
    },
    {
      provide: EncryptionSubscriber,
      inject: [KeyRing, ENCRYPTED_FIELD_READ_POLICY],
      useFactory: (keyRing: KeyRing, policy: EncryptedFieldReadPolicy) =>
        new EncryptionSubscriber(keyRing, policy),
    },
    {
      provide: OpeningWorkers,
      inject: [CRYPTO_MODULE_OPTIONS],
      // Ended on module destroy (`OpeningWorkers.onModuleDestroy`), so an app closes cleanly.
      useFactory: (options: CryptoModuleOptions) => new OpeningWorkers(options.openingWorkers),
    },
    SubjectKeys,
    AccountCiphers,
    BlindIndexQuery,
  ],
  exports: [
    KeyRing,
    SubjectKeys,
    AccountCiphers,
    OpeningWorkers,
    BlindIndexQuery,
    ENCRYPTED_FIELD_READ_POLICY,
  ],
})
export class CryptoModule
  extends CryptoConfigurableModule
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy
{
  constructor(
    @Inject(CRYPTO_MODULE_OPTIONS) private readonly options: CryptoModuleOptions,
    private readonly dataSource: DataSource,
    private readonly subscriber: EncryptionSubscriber,
    private readonly keyRing: KeyRing,
  ) {
    super();
  }

  onModuleInit(): void {
    verifyEncryptedEntities(this.dataSource.entityMetadatas);
    if (!this.dataSource.subscribers.includes(this.subscriber)) {
      this.dataSource.subscribers.push(this.subscriber);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.verifyKeysAtStart ?? true) {
      await this.keyRing.verifyProvider();
    }
  }

  onModuleDestroy(): void {
    const index = this.dataSource.subscribers.indexOf(this.subscriber);
    if (index >= 0) {
      this.dataSource.subscribers.splice(index, 1);
    }
  }
}
