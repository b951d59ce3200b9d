import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SealedValuesVerifier } from './sealed-values-verifier';

/** Seconds between two scheduled verifications of every account's sealed values; 0: never. */
export const SEALED_VALUES_VERIFY_SECONDS = Symbol('custos:sealed-values-verify-seconds');

/**
 * Verifies every account's sealed values on a schedule (not at start: it reads every record).
 * A mismatch is logged (ids and property names only) and audited by the verifier.
 */
@Injectable()
export class SealedValuesVerificationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SealedValuesVerificationJob.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly verifier: SealedValuesVerifier,
    @Inject(SEALED_VALUES_VERIFY_SECONDS) private readonly intervalSeconds: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalSeconds === 0) {
      return;
    }
    this.timer = setInterval(() => {
      this.verifyAll().catch((error: unknown) =>
        this.logger.error({ err: error }, 'Verifying the sealed values failed'),
      );
    }, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Verifies every account with sensitive properties; returns the accounts with mismatches. */
  async verifyAll(): Promise<string[]> {
    const tampered: string[] = [];
    for (const accountId of await this.verifier.accountsWithSensitiveData()) {
      const result = await this.verifier.verify(accountId);
      if (!result.valid) {
        tampered.push(accountId);
        this.logger.error(
          `Account ${accountId}: ${result.mismatchCount} sealed value(s) differ from their last audited write (see the sensitive_data.tampering_detected audit event).`,
        );
      }
    }
    return tampered;
  }
}
