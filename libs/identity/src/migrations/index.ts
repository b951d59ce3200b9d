import type { DatabaseMigrations } from '@custos/core';
import { Identity1795373768333 as IdentitySqlite } from './sqlite/1795373768333-Identity';
import { AccountEditionAndRegion1795383997230 as AccountEditionAndRegionSqlite } from './sqlite/1795383997230-AccountEditionAndRegion';
import { SupportAccess1795384389258 as SupportAccessSqlite } from './sqlite/1795384389258-SupportAccess';
import { Tenancy1796448383029 as TenancySqlite } from './sqlite/1796448383029-Tenancy';
import { ScimProvisioning1796494800760 as ScimProvisioningSqlite } from './sqlite/1796494800760-ScimProvisioning';
import { PartnerMemberships1797200000000 as PartnerMembershipsSqlite } from './sqlite/1797200000000-PartnerMemberships';
import { ScimResourceIds1797400000000 as ScimResourceIdsSqlite } from './sqlite/1797400000000-ScimResourceIds';
import { Identity1795373768333 as IdentityPostgres } from './postgres/1795373768333-Identity';
import { AccountEditionAndRegion1795383997230 as AccountEditionAndRegionPostgres } from './postgres/1795383997230-AccountEditionAndRegion';
import { SupportAccess1795384389258 as SupportAccessPostgres } from './postgres/1795384389258-SupportAccess';
import { Tenancy1796448383029 as TenancyPostgres } from './postgres/1796448383029-Tenancy';
import { ScimProvisioning1796494800760 as ScimProvisioningPostgres } from './postgres/1796494800760-ScimProvisioning';
import { PartnerMemberships1797200000000 as PartnerMembershipsPostgres } from './postgres/1797200000000-PartnerMemberships';
import { ScimResourceIds1797400000000 as ScimResourceIdsPostgres } from './postgres/1797400000000-ScimResourceIds';
import { IdentityLookupIndexes1797400000000 as IdentityLookupIndexesSqlite } from './sqlite/1797400000000-IdentityLookupIndexes';
import { IdentityLookupIndexes1797400000000 as IdentityLookupIndexesPostgres } from './postgres/1797400000000-IdentityLookupIndexes';

/**
 * The tables of accounts, users, memberships, teams, business units, API keys, support access grants and SCIM provisioning, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const IDENTITY_MIGRATIONS: DatabaseMigrations = {
  sqlite: [
    IdentitySqlite,
    AccountEditionAndRegionSqlite,
    SupportAccessSqlite,
    TenancySqlite,
    ScimProvisioningSqlite,
    PartnerMembershipsSqlite,
    ScimResourceIdsSqlite,
    IdentityLookupIndexesSqlite,
  ],
  postgres: [
    IdentityPostgres,
    AccountEditionAndRegionPostgres,
    SupportAccessPostgres,
    TenancyPostgres,
    ScimProvisioningPostgres,
    PartnerMembershipsPostgres,
    ScimResourceIdsPostgres,
    IdentityLookupIndexesPostgres,
  ],
};
