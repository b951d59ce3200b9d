import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link ConsentModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class ConsentModuleOptions {
  /**
   * The lib's secret (at least 32 bytes): signs unsubscribe and confirmation tokens and the consent
   * chain's head, each with its own key derived from it. Required; e.g.
   * `deriveKey(masterSecret, 'custos/consent')` from `@custos/core`.
   */
  secret!: Buffer;
  /**
   * The public base URL of the API, which links in mails point to (`https://crm.example.com/api/v1`).
   * Without it no link can be issued (double opt-in and unsubscribe links refuse with a 503).
   */
  publicUrl?: string;
  /** Days an unsubscribe token stays valid (mails are reopened long after). Default 400. */
  unsubscribeTokenDays?: number;
  /** Hours a double opt-in confirmation link stays valid. Default 72. */
  confirmationHours?: number;
  /**
   * The shared secret of the bounce webhook: the provider signs each body with HMAC-SHA256 in
   * `X-Custos-Signature: sha256=<hex>`. Without it the webhook answers 404.
   */
  bounceWebhookSecret?: string;
  /** The VERP return path's base address (`bounces@mail.example.com`). Default `bounces@localhost`. */
  returnPath?: string;
  /**
   * A mailbox for unsubscribe requests by mail (`unsubscribe@mail.example.com`): `List-Unsubscribe`
   * then also names `mailto:<it>?subject=unsubscribe%20<token>` after the one-click URL (RFC 2369
   * lists them in order of preference). Whoever reads that mailbox posts the subject's token to
   * `POST consent/unsubscribe?token=`. Unset: the URL only.
   */
  unsubscribeMailbox?: string;
}

export const DEFAULT_UNSUBSCRIBE_TOKEN_DAYS = 400;
export const DEFAULT_CONFIRMATION_HOURS = 72;

/** Module-level switches; unlike the options they are known before the app starts. */
export interface ConsentModuleExtras {
  /** Make the consent services injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ConsentConfigurableModule,
  MODULE_OPTIONS_TOKEN: CONSENT_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ConsentModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<ConsentModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
