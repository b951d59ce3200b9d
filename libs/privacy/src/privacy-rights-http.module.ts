import { Module } from '@nestjs/common';
import './privacy.privileges';
import {
  PrivacyObjectionsController,
  PrivacyRestrictionsController,
} from './http/privacy-rights.controller';
import { PublicPrivacyRequestsController } from './http/public-privacy-requests.controller';

/**
 * The REST API of {@link PrivacyRightsModule}: restrictions and objections
 * (`manage_privacy_requests`) and the public intake (no login). Paths are relative: mount it
 * under `api/v1` with `RouterModule`, beside `PrivacyHttpModule`.
 */
@Module({
  controllers: [
    PrivacyRestrictionsController,
    PrivacyObjectionsController,
    PublicPrivacyRequestsController,
  ],
})
export class PrivacyRightsHttpModule {}
