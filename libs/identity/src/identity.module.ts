import { Module } from '@nestjs/common';
import { IdentityAccessDirectory } from './access/identity-access-directory';
import { PrivilegeHolders } from './access/privilege-holders';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Account } from './accounts/account.entity';
import { AccountService } from './accounts/account.service';
import { InitialAccountService } from './accounts/initial-account';
import { SuperAdminInvariant } from './accounts/super-admin-invariant';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeyService } from './api-keys/api-key.service';
import { AccessTokenService } from './auth/access-token.service';
import { AuthenticationGuard } from './auth/authentication.guard';
import { Authenticator } from './auth/authenticator';
import { LoginService } from './auth/login.service';
import { LoginThrottle } from './auth/login-throttle';
import { OidcVerifier } from './auth/oidc-verifier';
import { PasswordHasher } from './auth/password-hasher';
import { BusinessUnit } from './business-units/business-unit.entity';
import { BusinessUnitService } from './business-units/business-unit.service';
import { IdentityConfigurableModule } from './identity.module-definition';
import { MeService } from './me/me.service';
import { SupportAccessGrant } from './support-access/support-access-grant.entity';
import { SupportAccessService } from './support-access/support-access.service';
import { TeamMember } from './teams/team-member.entity';
import { Team } from './teams/team.entity';
import { TeamService } from './teams/team.service';
import { InvitationService } from './users/invitation.service';
import { Membership } from './users/membership.entity';
import { User } from './users/user.entity';
import { PartnerAccessTerm } from './users/partner-access-term';
import { MemberErasure } from './users/member-erasure';
import { UserService } from './users/user.service';
import { ProvisioningToken } from './scim/provisioning-token.entity';
import { ScimUser } from './scim/scim-user.entity';

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
  ProvisioningToken,
  ScimUser,
];

/**
 * Accounts, users, memberships, teams, business units, sign-in (password, OIDC, API keys) and
 * temporary support access. Mounts no routes: import {@link IdentityHttpModule} for the REST API.
 * Needs `CoreModule`, `AuditModule`, `AccessModule` (rights change when people move) and a
 * TypeORM connection with {@link IDENTITY_ENTITIES}; provide `ACCESS_DIRECTORY` with the exported
 * `IdentityAccessDirectory`. Register {@link AuthenticationGuard} as the first global guard.
 */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
  providers: [
    IdentityAccessDirectory,
    PrivilegeHolders,
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
    MemberErasure,
    InvitationService,
    PartnerAccessTerm,
  ],
  exports: [
    IdentityAccessDirectory,
    PrivilegeHolders,
    AuthenticationGuard,
    Authenticator,
    InitialAccountService,
    PasswordHasher,
    AccessTokenService,
    AccountService,
    SuperAdminInvariant,
    LoginService,
    MeService,
    UserService,
    MemberErasure,
    InvitationService,
    TeamService,
    BusinessUnitService,
    ApiKeyService,
    SupportAccessService,
    PartnerAccessTerm,
  ],
})
export class IdentityModule extends IdentityConfigurableModule {}
