import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link PartnersModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class PartnersModuleOptions {
  /**
   * HMAC key (at least 32 bytes) signing partner access links. Required. Derive it from the
   * server secret: `deriveKey(masterSecret, 'custos/partner-link')` from `@custos/core`.
   */
  linkSigningKey!: Buffer;
  /** Hours an access-link approval request stays open. Default 168 (a week). */
  linkRequestHours?: number;
  /**
   * Seconds between sweeps ending the time-bound accesses whose end has passed (audited, the
   * firm told), so they end even if the partner admin never comes back. Default 60; 0 turns the
   * sweep off (they then end at their next request).
   */
  expireEverySeconds?: number;
}

/** Module-level switches; unlike the options they are known before the app starts. */
export interface PartnersModuleExtras {
  /** Make the partner services injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: PartnersConfigurableModule,
  MODULE_OPTIONS_TOKEN: PARTNERS_MODULE_OPTIONS,
  OPTIONS_TYPE: PARTNERS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PARTNERS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PartnersModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<PartnersModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
