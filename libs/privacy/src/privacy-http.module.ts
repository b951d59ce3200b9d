import { Module } from '@nestjs/common';
// Defines the task privilege these routes require.
import './privacy.privileges';
import { ProcessingRegisterController } from './http/processing-register.controller';
import { PrivacyRequestsController } from './http/privacy-requests.controller';

/**
 * The REST API of `@custos/privacy`: privacy requests and the register of
 * processing activities (`manage_privacy_requests`). Paths are
 * relative: mount it with `RouterModule.register([{ path: 'api/v1', module: PrivacyHttpModule }])`.
 * Needs `PrivacyModule.forRoot` (global, the default).
 */
@Module({ controllers: [PrivacyRequestsController, ProcessingRegisterController] })
export class PrivacyHttpModule {}
