export { IDENTITY_PRIVILEGES, type IdentityPrivilege } from './identity.privileges';
export { IdentityModule, IDENTITY_ENTITIES } from './identity.module';
export { IdentityHttpModule } from './identity-http.module';
export { IdentityAccessDirectory } from './access/identity-access-directory';
export { PrivilegeHolders } from './access/privilege-holders';
export {
  IDENTITY_MODULE_OPTIONS,
  type IdentityModuleOptions,
  type OidcOptions,
  type LoginThrottleOptions,
} from './identity.module-definition';
export { IdentityErrors } from './identity.errors';
export { Account, ACCOUNT_EDITIONS, type AccountEdition } from './accounts/account.entity';
export { lockAccount, SuperAdminInvariant } from './accounts/super-admin-invariant';
export { User } from './users/user.entity';
export { Membership, type MembershipStatus } from './users/membership.entity';
export { Team } from './teams/team.entity';
export { TeamMember } from './teams/team-member.entity';
export { BusinessUnit } from './business-units/business-unit.entity';
export { ApiKey } from './api-keys/api-key.entity';
export { SupportAccessGrant } from './support-access/support-access-grant.entity';
export { UserService } from './users/user.service';
export { ERASED_USER_NAME, MemberErasure, erasedUserEmail } from './users/member-erasure';
export { MEMBER_TEMPLATES, type MemberTemplate } from './users/member-templates';
export {
  PARTNER_ACCESS_EXPIRY,
  PartnerAccessTerm,
  membershipStatusAt,
  type PartnerAccessExpiryListener,
  type PartnerTerm,
} from './users/partner-access-term';
export { userActor } from './users/user-actor';
export { InvitationService, type InvitingAccount } from './users/invitation.service';
export { TeamService } from './teams/team.service';
export { BusinessUnitService } from './business-units/business-unit.service';
export { ApiKeyService } from './api-keys/api-key.service';
export { SupportAccessService } from './support-access/support-access.service';
export { AccountService } from './accounts/account.service';
export { AuthenticationGuard } from './auth/authentication.guard';
export { Authenticator, type PresentedCredential } from './auth/authenticator';
export { AccessTokenService } from './auth/access-token.service';
export { PasswordHasher } from './auth/password-hasher';
export { OIDC_DEFAULT_ALGORITHMS } from './auth/oidc-verifier';
export {
  InitialAccountService,
  DEFAULT_ADMIN_EMAIL,
  type InitialAccount,
} from './accounts/initial-account';
export { AccountDto, MyAccountDto, AccountNameDto } from './accounts/account.dto';
export {
  UserDto,
  UserPageDto,
  CreateUserDto,
  UpdateUserDto,
  ListUsersQueryDto,
} from './users/user.dto';
export {
  TeamDto,
  TeamPageDto,
  CreateTeamDto,
  UpdateTeamDto,
  TeamMembersDto,
  TeamMemberDto,
  TeamMemberPageDto,
} from './teams/team.dto';
export {
  BusinessUnitDto,
  BusinessUnitPageDto,
  CreateBusinessUnitDto,
  UpdateBusinessUnitDto,
} from './business-units/business-unit.dto';
export {
  ApiKeyDto,
  ApiKeyPageDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
} from './api-keys/api-key.dto';
export { LoginDto, AccessTokenDto, ChangePasswordDto } from './auth/login.dto';
export { MeDto, UpdateMeDto } from './me/me.dto';
export {
  SupportAccessGrantDto,
  SupportAccessGrantPageDto,
  SupportUserDto,
  CreateSupportAccessDto,
  SUPPORT_ACCESS_MAX_DAYS,
  SUPPORT_ACCESS_STATUSES,
  type SupportAccessStatus,
} from './support-access/support-access.dto';
export { IDENTITY_MIGRATIONS } from './migrations';
export { IdentityScimModule, IdentityScimTokensHttpModule } from './scim/scim.module';
export { type IdentityScimModuleOptions, SCIM_MODULE_OPTIONS } from './scim/scim.module-definition';
export { ProvisioningToken } from './scim/provisioning-token.entity';
export { ScimUser } from './scim/scim-user.entity';
export { ProvisioningTokenService } from './scim/provisioning-token.service';
export {
  ProvisioningTokenDto,
  ProvisioningTokenPageDto,
  CreateProvisioningTokenDto,
  CreatedProvisioningTokenDto,
} from './scim/provisioning-token.dto';
export { SCIM_CONTENT_TYPE, SCIM_ERROR_SCHEMA, scimBodyErrors } from './scim/scim-error.filter';
