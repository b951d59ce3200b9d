import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Default {@link KeyRotationModuleOptions.batchSize}. */
export const DEFAULT_ROTATION_BATCH_SIZE = 500;

/** Options of {@link KeyRotationModule}. */
export class KeyRotationModuleOptions {
  /** Rows each source looks at per batch (one transaction each). Default 500. */
  batchSize?: number;
}

export const {
  ConfigurableModuleClass: KeyRotationConfigurableModule,
  MODULE_OPTIONS_TOKEN: KEY_ROTATION_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<KeyRotationModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
