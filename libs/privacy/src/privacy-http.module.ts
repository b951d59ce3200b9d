import { Module } from '@nestjs/common';
// Defines the task privilege these routes require.
import './privacy.privileges';
import { PrivacyRequestsController } from './http/privacy-requests.controller';

/**
 * The REST API of `@custos/privacy`: privacy requests (`manage_privacy_requests`). Paths are
 * relative: mount it with `RouterModule.register([{ path: 'api/v1', module: PrivacyHttpModule }])`.
 * Needs `PrivacyModule.forRoot` (global, the default).
 */
@Module({ controllers: [PrivacyRequestsController] })
export class PrivacyHttpModule {}
