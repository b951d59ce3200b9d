import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link AccessModule}. */
export interface AccessModuleOptions {
  /** Most actors whose compiled access is kept in memory. Default 10,000. */
  cacheSize?: number;
}

export const {
  ConfigurableModuleClass: AccessConfigurableModule,
  MODULE_OPTIONS_TOKEN: ACCESS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AccessModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
