import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link PrivacyModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class PrivacyModuleOptions {
  /** Days back in which a request of the same subject and type counts as a possible duplicate. Default 30. */
  duplicateWindowDays?: number;
  /** Days before its due date a request is flagged due soon. Default 7. */
  dueSoonDays?: number;
}

export const DEFAULT_DUPLICATE_WINDOW_DAYS = 30;
export const DEFAULT_DUE_SOON_DAYS = 7;

/** Module-level switches; unlike the options they are known before the app starts. */
export interface PrivacyModuleExtras {
  /** Make the privacy services (and the registry) injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: PrivacyConfigurableModule,
  MODULE_OPTIONS_TOKEN: PRIVACY_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<PrivacyModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<PrivacyModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
