import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErasureRules } from './erasure-rules';
import { PrivacyErasureController } from './privacy-erasure.controller';
import { PrivacyErasure } from './privacy-erasure.entity';
import { PrivacyErasures } from './privacy-erasures';
import { PrivacyLogEntry } from './privacy-log-entry.entity';
import { PrivacyLog } from './privacy-log';
import { ConsentEventEraser } from './consent-event-eraser';

/**
 * Erasure (GDPR Art. 17) and the privacy log. Needs `PrivacyModule`, `ConsentModule`, core's jobs
 * and file store, and the host's `SUBJECT_KEY_SHREDDER`; the host registers its blockers and
 * erasers in {@link ErasureRules}. Global, so the host can reach the rules from any module.
 * Mounts no routes: import {@link PrivacyErasureHttpModule}.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PrivacyErasure, PrivacyLogEntry])],
  providers: [ErasureRules, PrivacyErasures, PrivacyLog, ConsentEventEraser],
  exports: [ErasureRules, PrivacyErasures, PrivacyLog],
})
export class PrivacyErasureModule {}

/**
 * The erasure routes (`POST/GET /privacy-requests/{id}/erasure`) and the privacy log
 * (`GET /privacy-log`), under `manage_privacy_requests`. Mount under `api/v1`.
 */
@Module({ controllers: [PrivacyErasureController] })
export class PrivacyErasureHttpModule {}
