import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './consent.privileges';
import { ConsentPublicController } from './http/consent-public.controller';
import { ConsentController } from './http/consent.controller';

/**
 * The REST API of `@custos/consent`: purposes, contacts' consent, blacklist and bounces (with
 * privileges) and the public links (unsubscribe, preferences, confirmation, bounce webhook).
 * Paths are relative: mount it with `RouterModule.register([{ path: 'api/v1', module: ConsentHttpModule }])`.
 * Needs `ConsentModule.forRoot` (global, the default).
 */
@Module({ controllers: [ConsentController, ConsentPublicController] })
export class ConsentHttpModule {}
