import { ConfigurableModuleBuilder, type InjectionToken } from '@nestjs/common';
import type { Clock } from './clock';
import type { DatabaseJobBackendOptions } from './jobs/database-job-backend';
import type { JobBackend } from './jobs/job-backend';
import type { NotificationAddressBook } from './notifications/notification-inbox';
import type { PrivilegeResolver } from './policy/privilege-resolver';
import type { ThrottleStore } from './throttling/throttle-store';

/** Options of {@link CoreModule}. */
export interface CoreModuleOptions {
  /** Source of the current time. Default: the system clock. */
  clock?: Clock;
  /**
   * Refuse to start when a route has no policy decorator. Default `true`; turn off only in a
   * consumer app that protects its routes by other means.
   */
  verifyRoutePolicies?: boolean;
  /**
   * The provider (anywhere in the app, looked up at first use) answering task-privilege checks of
   * `@RequirePrivilege` routes, e.g. `AccessService` of `@custos/access`. Default: super admins
   * hold every privilege and private apps their scopes.
   */
  privilegeResolver?: InjectionToken<PrivilegeResolver>;
  /**
   * Where throttling counters live (`ThrottleStore`). Default: this process's memory, right for
   * one instance; several instances need a shared store to count together.
   */
  throttleStore?: ThrottleStore;
  /**
   * Where background jobs are kept and run (`Jobs`). Default: the database (`JOB_ENTITIES` in
   * the DataSource), with the given lease and poll interval; `backend` for another, e.g. BullMQ.
   */
  jobs?: DatabaseJobBackendOptions & { backend?: JobBackend };
  /**
   * E-mail copies of notifications for the users who opt in (needs `MailModule`): the provider
   * (anywhere in the app, looked up at first use) giving recipients' addresses, and a link put at
   * the end of every such mail. Default: notifications stay in the app and nobody can opt in.
   */
  notificationMail?: { addressBook: InjectionToken<NotificationAddressBook>; link?: string };
}

export const {
  ConfigurableModuleClass: CoreConfigurableModule,
  MODULE_OPTIONS_TOKEN: CORE_MODULE_OPTIONS,
  OPTIONS_TYPE: CORE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CORE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CoreModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
