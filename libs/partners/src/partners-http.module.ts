import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './partners.privileges';
import { PartnerAccessController } from './http/partner-access.controller';
import { PartnerAccountsController } from './http/partner-accounts.controller';
import { PartnerSideController } from './http/partner-side.controller';

/**
 * The REST API of `@custos/partners` (`partner/…` for partner employees, `partner-seats`,
 * `partner-admins`, `partner-links/…` for customers). Paths are relative: mount it with
 * `RouterModule.register([{ path: 'api/v1', module: PartnersHttpModule }])`. Needs
 * `PartnersModule.forRoot` (global, the default).
 */
@Module({
  controllers: [PartnerSideController, PartnerAccessController, PartnerAccountsController],
})
export class PartnersHttpModule {}
