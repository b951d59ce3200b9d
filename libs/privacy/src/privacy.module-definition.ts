import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link PrivacyModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class PrivacyModuleOptions {
  /** Days back in which a request of the same subject and type counts as a possible duplicate. Default 30. */
  duplicateWindowDays?: number;
  /** Days before its due date a request is flagged due soon. Default 7. */
  dueSoonDays?: number;
  /** Minutes a public request's verification code stays valid. Default 30. */
  verificationCodeMinutes?: number;
  /** Public requests accepted per client IP per hour. Default 20. */
  publicRequestsPerIpPerHour?: number;
  /** Public requests accepted per e-mail address per hour. Default 5. */
  publicRequestsPerAddressPerHour?: number;
  /** How often handlers are told of requests that became due soon or overdue; 0 turns it off. Default 3600. */
  deadlineNoticeEverySeconds?: number;
  /** Hours a subject's download link to their access package stays valid. Default 72. */
  packageLinkHours?: number;
  /** The API's public base URL (`https://crm.example.com/api/v1`), for links mailed to subjects. */
  publicUrl?: string;
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
