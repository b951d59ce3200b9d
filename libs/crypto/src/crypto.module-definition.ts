import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { KeyProvider } from './keys/key-provider';

/** Options of {@link CryptoModule}. */
export class CryptoModuleOptions {
  /**
   * Wraps and unwraps the per-account data keys. `new LocalKeyProvider(masterKey)` keeps a 32-byte
   * master key in the process; a KMS or Vault provider implements the same interface.
   */
  keyProvider!: KeyProvider;
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
