import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MEMBER_TEMPLATES, PARTNER_ACCESS_EXPIRY } from '@custos/identity';
import './partners.privileges';
import { PartnerAccessEnd } from './admins/partner-access-end';
import { PartnerAccessExpiry } from './admins/partner-access-expiry';
import { PartnerAdminSet } from './admins/partner-admin-set';
import { PartnerAdminTemplate } from './admins/partner-admin-template';
import { PartnerAdmins } from './admins/partner-admins';
import { PartnerAccounts } from './accounts/partner-accounts';
import { PartnerEmployee } from './firms/partner-employee.entity';
import { PartnerFirm } from './firms/partner-firm.entity';
import { PartnerFirms } from './firms/partner-firms';
import { PartnerLinkApprovalKind } from './links/partner-link-approval-kind';
import { PartnerLinkRequest } from './links/partner-link-request.entity';
import { PartnerLinks } from './links/partner-links';
import { PartnerNotifications } from './notifications/partner-notifications';
import { PartnersConfigurableModule } from './partners.module-definition';
import { PartnerSeat } from './seats/partner-seat.entity';
import { PartnerSeats } from './seats/partner-seats';

/** Every entity of `@custos/partners`, for the host's DataSource and migrations. */
export const PARTNER_ENTITIES = [PartnerFirm, PartnerEmployee, PartnerSeat, PartnerLinkRequest];

/**
 * Partner admins: firms and employees, seats, access links approved through `@custos/approvals`,
 * time-bound access, migration, direct creation (the `partner_admin` template of user creation)
 * and multi-account management. `linkSigningKey` is required (32 bytes or more). Needs `CoreModule`, `AuditModule`, `AccessModule`,
 * `IdentityModule` and `ApprovalsModule` (all global) and the entities in the DataSource. Mounts
 * no routes: import {@link PartnersHttpModule}.
 */
@Module({
  imports: [TypeOrmModule.forFeature(PARTNER_ENTITIES)],
  providers: [
    PartnerFirms,
    PartnerSeats,
    PartnerAdminSet,
    PartnerAccessEnd,
    PartnerAdmins,
    PartnerAdminTemplate,
    PartnerLinks,
    PartnerLinkApprovalKind,
    PartnerNotifications,
    PartnerAccounts,
    PartnerAccessExpiry,
    {
      provide: MEMBER_TEMPLATES,
      useFactory: (template: PartnerAdminTemplate) => [template],
      inject: [PartnerAdminTemplate],
    },
    { provide: PARTNER_ACCESS_EXPIRY, useExisting: PartnerAccessExpiry },
  ],
  exports: [
    PartnerFirms,
    PartnerSeats,
    PartnerAdminSet,
    PartnerAdmins,
    PartnerLinks,
    PartnerAccounts,
    MEMBER_TEMPLATES,
    PARTNER_ACCESS_EXPIRY,
  ],
})
export class PartnersModule extends PartnersConfigurableModule {}
