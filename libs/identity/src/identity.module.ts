import { Module } from '@nestjs/common';
import { IdentityAccessDirectory } from './access/identity-access-directory';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Account } from './accounts/account.entity';
import { AccountService } from './accounts/account.service';
import { AccountsController } from './accounts/accounts.controller';
import { InitialAccountService } from './accounts/initial-account';
import { SuperAdminInvariant } from './accounts/super-admin-invariant';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeyService } from './api-keys/api-key.service';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AccessTokenService } from './auth/access-token.service';
import { AuthController } from './auth/auth.controller';
import { AuthenticationGuard } from './auth/authentication.guard';
import { Authenticator } from './auth/authenticator';
import { LoginService } from './auth/login.service';
import { LoginThrottle } from './auth/login-throttle';
import { OidcVerifier } from './auth/oidc-verifier';
import { PasswordHasher } from './auth/password-hasher';
import { BusinessUnit } from './business-units/business-unit.entity';
import { BusinessUnitService } from './business-units/business-unit.service';
import { BusinessUnitsController } from './business-units/business-units.controller';
import { IdentityConfigurableModule } from './identity.module-definition';
import { MeController } from './me/me.controller';
import { MeService } from './me/me.service';
import { SupportAccessGrant } from './support-access/support-access-grant.entity';
import { SupportAccessController } from './support-access/support-access.controller';
import { SupportAccessService } from './support-access/support-access.service';
import { TeamMember } from './teams/team-member.entity';
import { Team } from './teams/team.entity';
import { TeamService } from './teams/team.service';
import { TeamsController } from './teams/teams.controller';
import { InvitationService } from './users/invitation.service';
import { Membership } from './users/membership.entity';
import { User } from './users/user.entity';
import { UserService } from './users/user.service';
import { UsersController } from './users/users.controller';

/** Every entity of `@custos/identity`, for the host's DataSource and migrations. */
export const IDENTITY_ENTITIES = [
  Account,
  User,
  Membership,
  Team,
  TeamMember,
  BusinessUnit,
  ApiKey,
  SupportAccessGrant,
];

/**
 * Accounts, users, memberships, teams, business units, sign-in (password, OIDC, API keys),
 * temporary support access and their REST API. Needs `CoreModule`, `AuditModule`, `AccessModule` (rights change when people
 * move) and a TypeORM connection with {@link IDENTITY_ENTITIES}; provide `ACCESS_DIRECTORY` with
 * the exported `IdentityAccessDirectory`. Register {@link AuthenticationGuard} as the first global guard.
 */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
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
  providers: [
    IdentityAccessDirectory,
    AccountService,
    InitialAccountService,
    SuperAdminInvariant,
    ApiKeyService,
    AccessTokenService,
    Authenticator,
    AuthenticationGuard,
    LoginService,
    LoginThrottle,
    OidcVerifier,
    PasswordHasher,
    BusinessUnitService,
    MeService,
    SupportAccessService,
    TeamService,
    UserService,
    InvitationService,
  ],
  exports: [
    IdentityAccessDirectory,
    AuthenticationGuard,
    Authenticator,
    InitialAccountService,
    PasswordHasher,
    AccessTokenService,
    AccountService,
    SuperAdminInvariant,
    UserService,
    InvitationService,
    TeamService,
    BusinessUnitService,
    ApiKeyService,
    SupportAccessService,
  ],
})
export class IdentityModule extends IdentityConfigurableModule {}
