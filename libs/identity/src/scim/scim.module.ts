import { Module } from '@nestjs/common';
import { ProvisioningTokenService } from './provisioning-token.service';
import { ProvisioningTokensController } from './provisioning-tokens.controller';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupService } from './scim-group.service';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimUserService } from './scim-user.service';
import { ScimUsersController } from './scim-users.controller';
import { ScimConfigurableModule } from './scim.module-definition';

/**
 * SCIM 2.0 provisioning (RFC 7643/7644), opt-in: Users, Groups (teams) and discovery, for Okta,
 * Entra ID and other identity providers, authenticated by provisioning tokens only. Paths are
 * relative: mount it with `RouterModule.register([{ path: 'scim/v2', module: IdentityScimModule }])`,
 * and accept `application/scim+json` bodies in the host's JSON body parser. Tokens are managed
 * through {@link IdentityScimTokensHttpModule}. Needs `IdentityModule.forRoot`.
 */
@Module({
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [ProvisioningTokenService, ScimUserService, ScimGroupService, ScimAuthGuard],
  exports: [ProvisioningTokenService],
})
export class IdentityScimModule extends ScimConfigurableModule {}

/**
 * The REST routes managing provisioning tokens (`scim-tokens`, super admins in person), to mount
 * under the API prefix beside `IdentityHttpModule`. Needs `IdentityModule.forRoot`.
 */
@Module({
  controllers: [ProvisioningTokensController],
  providers: [ProvisioningTokenService],
})
export class IdentityScimTokensHttpModule {}
