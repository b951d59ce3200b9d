import { ConfigurableModuleBuilder, type InjectionToken } from '@nestjs/common';
import type { EncryptedFieldReadPolicy } from './encrypted/read-policy';
import type { OpeningWorkersOptions } from './cipher/opening-workers';
import type { KeyProvider } from './keys/key-provider';

/** Options of {@link CryptoModule}. */
export class CryptoModuleOptions {
  /**
   * Wraps and unwraps the per-account data keys. `new LocalKeyProvider(masterKey)` keeps a 32-byte
   * master key in the process; a KMS or Vault provider implements the same interface.
   */
  keyProvider!: KeyProvider;
  /**
   * The provider (anywhere in the app, looked up at first use) deciding which `@Encrypted` fields
   * are decrypted on load. Default: `ActorReadPolicy` (an actor of the value's account, not support).
   */
  readPolicy?: InjectionToken<EncryptedFieldReadPolicy>;
  /**
   * Check at application bootstrap that the stored keys unwrap with `keyProvider` (one per
   * key-encryption-key id), so a wrong master key stops the start. Default `true`.
   */
  verifyKeysAtStart?: boolean;
  /**
   * Worker threads that open large pages of sealed values (an export's) off the event loop.
   * Default: none (`threads: 0`, pages open on the calling thread); pages of 500 values or more.
   */
  openingWorkers?: OpeningWorkersOptions;
}

export const {
  ConfigurableModuleClass: CryptoConfigurableModule,
  MODULE_OPTIONS_TOKEN: CRYPTO_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<CryptoModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
