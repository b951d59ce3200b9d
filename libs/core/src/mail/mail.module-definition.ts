import { ConfigurableModuleBuilder, type InjectionToken } from '@nestjs/common';
import type { MailContentPolicy } from './mail-content-policy';
import type { MailTransport } from './mail-transport';

/** Options of {@link MailModule}. */
export interface MailModuleOptions {
  /** Sender address of every mail; its domain names the Message-IDs. */
  from: string;
  /** How mail leaves (SMTP); unset: mails stay in the outbox (development), listed to super admins. */
  transport?: MailTransport;
  /** The provider (anywhere in the app) deciding what may go out by mail; default: no sensitive field. */
  contentPolicy?: InjectionToken<MailContentPolicy>;
  /** Attempts before a mail is `failed`. Default 8 (about 4 hours of backoff). */
  maxAttempts?: number;
  /**
   * Period of the `mail.deliver` schedule (with a transport), which sends the mails that fell due
   * without a trigger: retries, and those of a process that died after its commit. Default 60.
   */
  deliveryEverySeconds?: number;
}

export interface MailModuleExtras {
  /** Mount `GET /api/v1/mail/outbox` (super admins). Default `true`. */
  registerController?: boolean;
}

export const {
  ConfigurableModuleClass: MailConfigurableModule,
  MODULE_OPTIONS_TOKEN: MAIL_MODULE_OPTIONS,
  OPTIONS_TYPE: MAIL_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MailModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<MailModuleExtras>({ registerController: true }, (definition) => definition)
  .build();
