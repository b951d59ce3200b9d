import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuditWitness } from './witness/audit-witness';

/** Options of {@link AuditModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class AuditModuleOptions {
  /**
   * 32-byte key that signs each account's chain head (HMAC-SHA256), so that cutting events off
   * the tail is detected. Required; keep it stable and out of the database — derive it with
   * `deriveKey(masterSecret, 'custos/audit-chain-head')` from `@custos/core`.
   */
  signingKey!: Buffer;

  /**
   * Where checkpoints of every account's chain head are kept, outside the database, so that a
   * chain cut back to an older head is detected. Default: none — verification then cannot
   * detect a tail cut off together with its head rolled back.
   */
  witness?: AuditWitness;

  /**
   * Seconds between two checkpoints of the heads that moved (0: only after each successful
   * verification). Default 60. Appends never wait for the witness.
   */
  checkpointIntervalSeconds?: number;
}

/** Module-level switches; unlike the options they are known before the app starts. */
export interface AuditModuleExtras {
  /** Make `AuditService` injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: AuditConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUDIT_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AuditModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AuditModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
