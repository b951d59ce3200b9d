export { PARTNER_PRIVILEGES, type PartnerPrivilege } from './partners.privileges';
export { PartnersModule, PARTNER_ENTITIES } from './partners.module';
export { PartnersHttpModule } from './partners-http.module';
export {
  PARTNERS_MODULE_OPTIONS,
  PartnersModuleOptions,
  type PartnersModuleExtras,
} from './partners.module-definition';
export { PartnersErrors } from './partners.errors';
export { PartnerFirm } from './firms/partner-firm.entity';
export { PartnerEmployee } from './firms/partner-employee.entity';
export { PartnerFirms, type PartnerFirmView } from './firms/partner-firms';
export { PartnerSeat, PARTNER_SEAT_TYPES, type PartnerSeatType } from './seats/partner-seat.entity';
export { PartnerSeats, type SeatCount } from './seats/partner-seats';
export { PartnerAdminSet, partnerRoleName } from './admins/partner-admin-set';
export {
  PartnerAdmins,
  type PartnerAdminView,
  type PartnerTermInput,
} from './admins/partner-admins';
export { PARTNER_ADMIN_TEMPLATE } from './admins/partner-admin-template';
export { PARTNER_ACCESS_EXPIRY_SCHEDULE } from './admins/partner-access-expiry';
export { PartnerLinkRequest } from './links/partner-link-request.entity';
export {
  PartnerLinks,
  PARTNER_ACCESS_MIN_DAYS,
  PARTNER_ACCESS_MAX_DAYS,
  type InspectedLink,
  type LinkApprovalInput,
  type LinkApprovalResult,
} from './links/partner-links';
export { PARTNER_LINK_APPROVAL_KIND } from './links/partner-link-approval-kind';
export {
  PARTNER_ACCESS_CHANGED,
  type PartnerAccessChange,
  type PartnerAccessNotificationFields,
} from './notifications/partner-notifications';
export { PartnerAccounts, type PartnerAccountView } from './accounts/partner-accounts';
export type { BulkOutcome } from './accounts/each-account';
export {
  RegisterFirmDto,
  PartnerFirmDto,
  FirmEmployeeDto,
  AddFirmEmployeeDto,
  AccessLinkDto,
  InspectLinkDto,
  ApproveLinkDto,
  ApproveLinkInAccountsDto,
  InspectedLinkDto,
  LinkApprovalDto,
  SeatCountDto,
  SetSeatsDto,
  PartnerAdminDto,
  PartnerAccountDto,
  BulkAddEmployeeDto,
  BulkOutcomeDto,
} from './http/partner.dto';
export { PARTNER_MIGRATIONS } from './migrations';
