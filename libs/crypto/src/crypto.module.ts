import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock, TransactionHost } from '@custos/core';
import { AccountCiphers } from './cipher/account-ciphers';
import {
  CRYPTO_MODULE_OPTIONS,
  CryptoConfigurableModule,
  type CryptoModuleOptions,
} from './crypto.module-definition';
import { CRYPTO_ENTITIES } from './keys/crypto-entities';
import { KeyRing } from './keys/key-ring';

/**
 * Per-account keys and the ciphers built on them. Import once with
 * `CryptoModule.forRoot({ keyProvider })` next to `CoreModule.forRoot()` and a TypeORM connection
 * that includes `CRYPTO_ENTITIES`.
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
    AccountCiphers,
  ],
  exports: [KeyRing, AccountCiphers],
})
export class CryptoModule extends CryptoConfigurableModule {}
