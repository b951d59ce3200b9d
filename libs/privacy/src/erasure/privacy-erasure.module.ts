import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasureRules } from './erasure-rules';
import { PrivacyErasureController } from './privacy-erasure.controller';
import { PrivacyErasure } from './privacy-erasure.entity';
import { PrivacyErasures } from './privacy-erasures';
import { PrivacyLogEntry } from './privacy-log-entry.entity';
import { PrivacyLog } from './privacy-log';
import { ConsentEventEraser } from './consent-event-eraser';
import { PackageEraser } from './package-eraser';
import { PrivacyHostContacts } from '../restrictions/host-contacts';
import { PrivacyRetentionController } from '../retention/privacy-retention.controller';
import { RetentionPolicies } from '../retention/retention-policies';
import { PrivacyRetentionDone, PrivacyRetentionPolicy } from '../retention/retention-policy.entity';

/**
 * Erasure (GDPR Art. 17), the privacy log and retention policies (run daily). Needs `PrivacyModule`, `ConsentModule`, core's jobs
 * and file store, the host's `SUBJECT_KEY_SHREDDER` and `CONSENT_CONTACTS` (an erasure names
 * only contacts the operator may read); the host registers its blockers and
 * erasers in {@link ErasureRules}. Global, so the host can reach the rules from any module.
 * Mounts no routes: import {@link PrivacyErasureHttpModule}.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([
      PrivacyErasure,
      PrivacyLogEntry,
      PrivacyRetentionPolicy,
      PrivacyRetentionDone,
    ]),
  ],
  providers: [
    ErasureRules,
    PrivacyErasures,
    PrivacyLog,
    ConsentEventEraser,
    PackageEraser,
    RetentionPolicies,
    PrivacyHostContacts,
  ],
  exports: [ErasureRules, PrivacyErasures, PrivacyLog, RetentionPolicies],
})
export class PrivacyErasureModule {}

/**
 * The erasure routes (`POST/GET /privacy-requests/{id}/erasure`) and the privacy log
 * (`GET /privacy-log`) and the retention policies (`/privacy-retention-policies`), under
 * `manage_privacy_requests`. Mount under `api/v1`.
 */
@Module({ controllers: [PrivacyErasureController, PrivacyRetentionController] })
export class PrivacyErasureHttpModule {}
