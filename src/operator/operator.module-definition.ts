import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link OperatorModule}. */
export interface OperatorModuleOptions {
  /**
   * The static token the platform operator presents in `X-Operator-Token` (at least 32
   * characters). Default: none, and every operator route answers 404.
   */
  token?: string;
}

export const {
  ConfigurableModuleClass: OperatorConfigurableModule,
  MODULE_OPTIONS_TOKEN: OPERATOR_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<OperatorModuleOptions>().setClassMethodName('forRoot').build();
