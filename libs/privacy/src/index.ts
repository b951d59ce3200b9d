export { DATA_CATEGORIES } from './taxonomy/data-categories';
export { isDataCategory, type DataCategory } from './taxonomy/categories';
export {
  SUBJECT_KINDS,
  type SubjectKind,
  type PersonalDataField,
  type PersonalDataSource,
  type PersonalDataFieldProvider,
} from './registry/personal-data.types';
export {
  PERSONAL_DATA_REGISTRY,
  InMemoryPersonalDataRegistry,
  type PersonalDataRegistry,
} from './registry/personal-data-registry';
export { PRIVACY_PERSONAL_DATA } from './registry/privacy-own-data';
export { PRIVACY_PRIVILEGES, type PrivacyPrivilege } from './privacy.privileges';
export { PrivacyModule } from './privacy.module';
export { PrivacyHttpModule } from './privacy-http.module';
export {
  PrivacyModuleOptions,
  PRIVACY_MODULE_OPTIONS,
  DEFAULT_DUPLICATE_WINDOW_DAYS,
  DEFAULT_DUE_SOON_DAYS,
  type PrivacyModuleExtras,
} from './privacy.module-definition';
export { PrivacyErrors } from './privacy.errors';
export { PRIVACY_ENTITIES } from './privacy.entities';
export { PRIVACY_MIGRATIONS } from './migrations';
export {
  PRIVACY_REQUEST_TYPES,
  PRIVACY_REQUEST_STATUSES,
  PRIVACY_REQUEST_CHANNELS,
  type PrivacyRequestType,
  type PrivacyRequestStatus,
  type PrivacyRequestChannel,
} from './requests/privacy-request.types';
export { PrivacyRequest } from './requests/privacy-request.entity';
export {
  PrivacyRequests,
  type PrivacyRequestInput,
  type PrivacyRequestView,
  type PrivacyRequestFilter,
} from './requests/privacy-requests';
export {
  PRIVACY_ASSIGNEES,
  PrivilegeHolderAssignees,
  type PrivacyAssignees,
} from './requests/privacy-assignees';
export {
  addCalendarMonths,
  nextWorkingDay,
  dueDate,
  mayExtend,
  deadlineFlag,
  pausedDaysBetween,
  calendarDate,
  canonicalTimeZone,
  UTC_CALENDAR,
  INITIAL_MONTHS,
  EXTENDED_MONTHS,
  type DeadlineFlag,
  type WorkingCalendar,
} from './requests/privacy-deadline';
export { PrivacySettings } from './settings/privacy-settings.entity';
export {
  PrivacySettingsService,
  MAX_HOLIDAYS,
  type PrivacySettingsInput,
  type PrivacySettingsView,
  type PrivacySettingsChange,
} from './settings/privacy-settings';
export {
  UpdatePrivacySettingsDto,
  PrivacySettingsDto,
  PrivacySettingsChangeDto,
} from './settings/privacy-settings.dto';
export {
  CreatePrivacyRequestDto,
  ListPrivacyRequestsQueryDto,
  AssignPrivacyRequestDto,
  TransitionPrivacyRequestDto,
  ReasonDto,
  CompletePrivacyRequestDto,
  MarkDuplicateDto,
  PrivacyRequestDto,
  PrivacyRequestPageDto,
} from './http/privacy.dto';
export { ProcessingActivity } from './register/processing-activity.entity';
export {
  ProcessingRegister,
  type ActivityInput,
  type ActivityView,
  type RegisteredField,
  type RegisterView,
} from './register/processing-register';
export {
  PRIVACY_PROCESSORS,
  type PrivacyProcessors,
  type ProcessorView,
} from './register/processors.port';
export {
  ActivityInputDto,
  ActivityDto,
  RegisteredFieldDto,
  ProcessorDto,
  RegisterActivityDto,
  RegisterDto,
  RegisterQueryDto,
} from './http/privacy.dto';
export { PrivacyRightsModule } from './privacy-rights.module';
export { PrivacyRightsHttpModule } from './privacy-rights-http.module';
export { PrivacyRestriction } from './restrictions/privacy-restriction.entity';
export {
  unrestrictedCondition,
  restrictedSubjectIds,
  type RestrictionCondition,
  type SubjectColumns,
} from './restrictions/restriction-condition';
export { Restrictions, CONTACT_SUBJECT, type RestrictionView } from './restrictions/restrictions';
export { Objections, type ObjectionOutcome } from './objections/objections';
export { PrivacyVerification } from './intake/privacy-verification.entity';
export {
  PublicPrivacyIntake,
  MAX_CODE_ATTEMPTS,
  type PublicRequestInput,
  type PublicRequestAccepted,
  type PublicRequestVerified,
} from './intake/public-intake';
export {
  DeadlineNotices,
  DEADLINE_NOTICE_SCHEDULE,
  PRIVACY_DEADLINE_NOTIFICATION,
  type DeadlineNotificationFields,
} from './requests/deadline-notices';
export { registerHtml, escapeHtml } from './register/register-html';
export {
  RestrictSubjectDto,
  RestrictionDto,
  RestrictionPageDto,
  ObjectionOutcomeDto,
  PublicPrivacyRequestDto,
  PublicRequestAcceptedDto,
  VerifyPublicRequestDto,
  PublicRequestVerifiedDto,
} from './http/privacy-rights.dto';
export {
  SUBJECT_KEY_SHREDDER,
  USER_ERASURE_GATE,
  type UserErasureGate,
  type UserErasure,
  type SubjectKeyShredder,
  type ContactOutcome,
  type ContactErasure,
  type ValueErasure,
  type ErasureBlocker,
  type SourceEraser,
} from './erasure/erasure.ports';
export { ErasureRules, type ErasurePlan, type ErasureStep } from './erasure/erasure-rules';
export {
  PrivacyErasures,
  ERASURE_QUEUE,
  MAX_ERASURE_CONTACTS,
  MAX_ERASURE_USERS,
  type ContactErasureCause,
  type ErasureInput,
  type ErasureView,
} from './erasure/privacy-erasures';
export {
  RetentionPolicies,
  RETENTION_SCHEDULE,
  RETENTION_BATCH,
  DRY_RUN_PAGE,
  type RetentionPolicyInput,
  type RetentionPolicyView,
  type DryRunView,
  type RetentionRunResult,
} from './retention/retention-policies';
export {
  PrivacyRetentionPolicy,
  PrivacyRetentionDone,
  RETENTION_ACTIONS,
  RETENTION_CONDITIONS,
  RETENTION_CONDITIONS_OF,
  RETENTION_OBJECT_TYPES,
  type RetentionAction,
  type RetentionCondition,
  type RetentionObjectType,
} from './retention/retention-policy.entity';
export {
  candidateCondition,
  type CandidateCondition,
  type CandidatePolicy,
  type ClosedColumns,
  type RecordColumns,
} from './retention/retention-condition';
export type {
  RetentionRecordType,
  RetentionBlockerContext,
} from './retention/retention-record-type';
export {
  CreateRetentionPolicyDto,
  UpdateRetentionPolicyDto,
  RetentionPolicyDto,
  RetentionPolicyPageDto,
  DryRunDto,
} from './retention/retention.dto';
export { PrivacyLog, type PrivacyLogInput, type PrivacyLogView } from './erasure/privacy-log';
export {
  PrivacyErasure,
  ERASURE_STATUSES,
  type ErasureStatus,
} from './erasure/privacy-erasure.entity';
export { PrivacyLogEntry } from './erasure/privacy-log-entry.entity';
export { PrivacyErasureModule, PrivacyErasureHttpModule } from './erasure/privacy-erasure.module';
export { maskEmail, maskPhone } from './erasure/masking';
export {
  StartErasureDto,
  ErasureDto,
  PrivacyLogQueryDto,
  PrivacyLogEntryDto,
  PrivacyLogPageDto,
} from './erasure/erasure.dto';
export {
  IDENTIFIER_KINDS,
  type IdentifierKind,
  type SubjectIdentifiers,
  type ProbedIdentifier,
} from './lookup/subject-identifiers';
export {
  PRIVACY_FILE_READERS,
  PRIVACY_READABLE_RECORDS,
  PRIVACY_SEALED_VALUE_PROBES,
  PRIVACY_VALUE_READERS,
  type BlindIndexProbe,
  type ReadableRecords,
  type ReadableRow,
  type SealedValueProbes,
  type SubjectFile,
  type SubjectFileReader,
  type SubjectValueReader,
} from './lookup/sealed-value-probes.port';
export {
  SubjectLookup,
  type LookupItem,
  type LookupField,
  type LookupStatement,
} from './lookup/subject-lookup';
export { lookupReach, type SourceReach } from './lookup/lookup-reach';
export { SubjectLookupDto, LookupFieldDto, LookupItemDto, LookupPageDto } from './http/lookup.dto';
export {
  PrivacyPackage,
  PACKAGE_STATES,
  PACKAGE_RECIPIENTS,
  type PackageState,
  type PackageRecipient,
} from './packages/privacy-package.entity';
export {
  PrivacyPackages,
  PACKAGE_QUEUE,
  PACKAGE_PAGE,
  type PackageView,
  type PackageItemView,
} from './packages/privacy-packages';
export {
  packageContents,
  itemId,
  RECIPIENT_SOURCES,
  PORTABLE_SOURCES,
  type PackageContents,
  type PackageFile,
  type PackageHeader,
} from './packages/package-contents';
export {
  PrivacyPackagesModule,
  PrivacyPackagesHttpModule,
} from './packages/privacy-packages.module';
export {
  PackageDto,
  PackageItemDto,
  PackageItemPageDto,
  RedactItemsDto,
  ReleasePackageDto,
} from './packages/package.dto';
