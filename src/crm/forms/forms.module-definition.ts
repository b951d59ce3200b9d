import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link FormsModule} (given to `forRoot`). */
export class FormsModuleOptions {
  /** Submissions accepted per client IP per window, over all forms; more get 429. Default 10. */
  maxSubmissionsPerIp?: number;
  /** Length of the throttling window in seconds. Default 60. */
  submissionWindowSeconds?: number;
}

export const {
  ConfigurableModuleClass: FormsConfigurableModule,
  MODULE_OPTIONS_TOKEN: FORMS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<FormsModuleOptions>().setClassMethodName('forRoot').build();
