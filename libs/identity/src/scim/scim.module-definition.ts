import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link IdentityScimModule}. */
export interface IdentityScimModuleOptions {
  /**
   * SCIM requests allowed per provisioning token per minute; more get 429 with `Retry-After`.
   * Default 12,000 (200 a second): a full sync of 10,000 users by Okta or Entra ID (which pace
   * themselves far below that) stays under it.
   */
  requestsPerMinute?: number;
}

export const {
  ConfigurableModuleClass: ScimConfigurableModule,
  MODULE_OPTIONS_TOKEN: SCIM_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<IdentityScimModuleOptions>()
  .setClassMethodName('forRoot')
  .build();
