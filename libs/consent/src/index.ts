export {
  LEGAL_BASES,
  CONSENT_CHANNELS,
  CONSENT_SOURCES,
  CONSENT_STATUSES,
  PUBLIC_CONSENT_SOURCES,
  type LegalBasis,
  type ConsentChannel,
  type ConsentSource,
  type ConsentStatus,
  type ConsentProof,
  type ConsentRequestInfo,
} from './consent.types';
export { CONSENT_PRIVILEGES, type ConsentPrivilege } from './consent.privileges';
export { CONSENT_CONTACTS, type ConsentContacts } from './consent-contacts.port';
export { ConsentModule } from './consent.module';
export { ConsentHttpModule } from './consent-http.module';
export {
  ConsentModuleOptions,
  CONSENT_MODULE_OPTIONS,
  DEFAULT_UNSUBSCRIBE_TOKEN_DAYS,
  DEFAULT_CONFIRMATION_HOURS,
  type ConsentModuleExtras,
} from './consent.module-definition';
export { ConsentErrors } from './consent.errors';
export { CONSENT_ENTITIES } from './consent.entities';
export { CONSENT_MIGRATIONS } from './migrations';
export { normaliseAddress, truncateIp } from './addresses';
export { ConsentPurpose } from './purposes/consent-purpose.entity';
export { ConsentNotice } from './purposes/consent-notice.entity';
export { ConsentEvent } from './events/consent-event.entity';
export { ConsentState } from './events/consent-state.entity';
export { ConsentChainHead } from './events/consent-chain-head.entity';
export {
  BlacklistEntry,
  BLACKLIST_KINDS,
  BLACKLIST_REASONS,
  type BlacklistKind,
  type BlacklistReason,
} from './blacklist/blacklist-entry.entity';
export { Bounce } from './bounces/bounce.entity';
export {
  ConsentPurposes,
  type PurposeInput,
  type PurposeView,
  type NoticeView,
} from './purposes/consent-purposes';
export {
  ConsentLedger,
  type ConsentEventInput,
  type ConsentEventRow,
  type ConsentStateRow,
  type ConsentChainVerification,
  type ConsentBreakReason,
} from './events/consent-ledger';
export {
  ConsentRecorder,
  type RecordedConsent,
  type PublicConsent,
  type ContactConsent,
  type PreferenceView,
} from './events/consent-recorder';
export {
  ConsentGate,
  CONTACT_DECISIONS,
  type ContactDecision,
  type ContactPermission,
  type ContactQuestion,
  type UnsubscribeHeaders,
} from './gate/consent-gate';
export { audienceCondition, type AudienceColumns, type AudienceCondition } from './gate/audience';
export { Blacklist, type BlacklistEntryView } from './blacklist/blacklist';
export {
  Bounces,
  BOUNCE_LIMIT,
  BOUNCE_WINDOW_MS,
  BOUNCE_SPREAD_MS,
  DELIVERY_OUTCOMES,
  type DeliveryOutcome,
  type BounceSummary,
  type HardBounce,
  type HardBounceListener,
} from './bounces/bounces';
export { verpKey, verpReturnPath, parseVerp, readDsn } from './bounces/verp';
export {
  CreatePurposeDto,
  PurposeDto,
  AddNoticeDto,
  NoticeDto,
  RecordConsentDto,
  ConsentStateDto,
  ConsentEventDto,
  ContactConsentDto,
  ConsentEventPageDto,
  ConsentChainVerificationDto,
  AddressDto,
  BlacklistEntryDto,
  BlacklistPageDto,
  BounceSummaryDto,
  BounceSummaryPageDto,
  BounceWebhookDto,
  BounceOutcomeDto,
  ConsentChangeDto,
  PreferenceChangeDto,
} from './http/consent.dto';
