import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link ApprovalsModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class ApprovalsModuleOptions {
  /**
   * Seconds between two runs of the `approvals.expire` schedule (on core's `Jobs`), which expires
   * pending requests whose time is up. Default 60. `0`: no schedule — call
   * `Approvals.expireDue()` yourself.
   */
  expireEverySeconds?: number;
}

/** Module-level switches; unlike the options they are known before the app starts. */
export interface ApprovalsModuleExtras {
  /** Make `Approvals` injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ApprovalsConfigurableModule,
  MODULE_OPTIONS_TOKEN: APPROVALS_MODULE_OPTIONS,
  OPTIONS_TYPE: APPROVALS_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ApprovalsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<ApprovalsModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
