import { Module } from '@nestjs/common';
// Defines the task privilege these routes require.
import './privacy.privileges';
import { ProcessingRegisterController } from './http/processing-register.controller';
import { PrivacyRequestsController } from './http/privacy-requests.controller';
import { PrivacyLookupController } from './http/privacy-lookup.controller';
import { PrivacySettingsController } from './settings/privacy-settings.controller';

/**
 * The REST API of `@custos/privacy`: privacy requests, the account's privacy settings, the subject lookup and the register of
 * processing activities (`manage_privacy_requests`). Paths are
 * relative: mount it with `RouterModule.register([{ path: 'api/v1', module: PrivacyHttpModule }])`.
 * Needs `PrivacyModule.forRoot` (global, the default).
 */
@Module({
  controllers: [
    PrivacyRequestsController,
    ProcessingRegisterController,
    PrivacyLookupController,
    PrivacySettingsController,
  ],
})
export class PrivacyHttpModule {}
