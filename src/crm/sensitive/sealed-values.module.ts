import { Module, type DynamicModule } from '@nestjs/common';
import { SealedValuesController } from './sealed-values.controller';
import { SEALED_VALUES_VERIFY_SECONDS, SealedValuesVerificationJob } from './sealed-values.job';
import { SealedValuesVerifier } from './sealed-values-verifier';

/** Verification of sealed record values against their audited digests: route and schedule. */
@Module({})
export class SealedValuesModule {
  /** `verifyIntervalSeconds`: between two scheduled verifications of every account; 0: never. */
  static forRoot(options: { verifyIntervalSeconds: number }): DynamicModule {
    return {
      module: SealedValuesModule,
      controllers: [SealedValuesController],
      providers: [
        SealedValuesVerifier,
        SealedValuesVerificationJob,
        { provide: SEALED_VALUES_VERIFY_SECONDS, useValue: options.verifyIntervalSeconds },
      ],
    };
  }
}
