import { Inject, Injectable, Logger } from '@nestjs/common';
import { Jobs } from '@custos/core';
import { SealedValuesVerifier } from './sealed-values-verifier';

/** Seconds between two scheduled verifications of every account's sealed values; 0: never. */
export const SEALED_VALUES_VERIFY_SECONDS = Symbol('custos:sealed-values-verify-seconds');

/**
 * Verifies every account's sealed values on a schedule, once per period per deployment.
 * A mismatch is logged (ids and property names only) and audited by the verifier.
 */
@Injectable()
export class SealedValuesVerificationJob {
  private readonly logger = new Logger(SealedValuesVerificationJob.name);

  constructor(
    private readonly verifier: SealedValuesVerifier,
    @Inject(SEALED_VALUES_VERIFY_SECONDS) intervalSeconds: number,
    jobs: Jobs,
  ) {
    if (intervalSeconds > 0) {
      jobs.schedule({
        name: 'crm.sealed_values_verification',
        everySeconds: intervalSeconds,
        process: async () => {
          await this.verifyAll();
        },
      });
    }
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
