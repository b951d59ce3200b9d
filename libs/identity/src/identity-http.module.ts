import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './identity.privileges';
import { AccountsController } from './accounts/accounts.controller';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthController } from './auth/auth.controller';
import { BusinessUnitsController } from './business-units/business-units.controller';
import { MeController } from './me/me.controller';
import { SupportAccessController } from './support-access/support-access.controller';
import { TeamsController } from './teams/teams.controller';
import { UsersController } from './users/users.controller';

/**
 * The REST API of `@custos/identity` (`auth/login`, `me`, `accounts`, `users`, `teams`,
 * `business-units`, `api-keys`, `support-access`), for apps that want it. Paths are relative:
 * mount it under your prefix with `RouterModule.register([{ path: 'api/v1', module:
 * IdentityHttpModule }])`. Needs `IdentityModule.forRoot` (global, the default).
 */
@Module({
  controllers: [
    AuthController,
    MeController,
    AccountsController,
    UsersController,
    TeamsController,
    BusinessUnitsController,
    ApiKeysController,
    SupportAccessController,
  ],
})
export class IdentityHttpModule {}
