export { CoreModule } from './core.module';
export { CORE_MODULE_OPTIONS, type CoreModuleOptions } from './core.module-definition';
export { type Actor, type ActorKind, systemActor } from './context/actor';
export {
  ActorSnapshotColumns,
  actorFromSnapshot,
  isSnapshotOf,
  snapshotOf,
  type ActorSnapshot,
} from './context/actor-snapshot';
export {
  isMemberInPerson,
  isSuperAdminInPerson,
  isPrivateApp,
  isPartnerAdmin,
  actsThroughMembership,
  withholdFromPartnerAdmins,
  mayHoldPrivilege,
  isSystem,
  isProvisioningClient,
  mayRemoveSuperAdmins,
  isReadOnly,
  signsInAsPerson,
  mayDecryptSensitive,
} from './context/actor-capabilities';
export { RequestContext, type CustosClsStore } from './context/request-context';
export { CustosError, type ErrorKind, type FieldError } from './errors/custos-error';
export { ProblemDetailsFilter, statusOfKind, toCustosError } from './errors/problem-details.filter';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './errors/problem-details';
export {
  ProblemDetailsDto,
  FieldErrorDto,
  ApiProblemResponses,
} from './errors/problem-details.dto';
export { CustosValidationPipe, FORBIDDEN_KEYS } from './validation/validation.pipe';
export { NestedArray, NestedObject } from './validation/nested';
export { MAX_BODY_DEPTH, bodyDepthLimit } from './validation/body-depth';
export { IdParam } from './validation/id-param';
export { AcceptedWithLocation } from './http/accepted';
export { ForegroundRequests, STEP_ASIDE_SLICES } from './http/foreground-requests';
export { TransactionHost } from './database/transaction-host';
export {
  escapeLike,
  isUniqueViolation,
  isTransientDatabaseError,
  mapUniqueViolation,
} from './database/database-errors';
export { Jobs, JOB_BACKEND, JOB_RETENTION_DAYS } from './jobs/jobs';
export {
  JOB_STATES,
  type JobState,
  type JobView,
  type JobQueue,
  type RunningJob,
  type QueueDefinition,
  type ScheduleDefinition,
  type EnqueueOptions,
} from './jobs/job';
export {
  JobBackend,
  type AbortReason,
  type ClaimedJob,
  type ExecuteJob,
  type JobOutcome,
  type NewJob,
  type QueueSettings,
  type QueueStats,
} from './jobs/job-backend';
export { DatabaseJobBackend, type DatabaseJobBackendOptions } from './jobs/database-job-backend';
export { JobRecord, JOB_ENTITIES } from './jobs/job.entity';
export { TimestampColumn } from './database/timestamp-column';
export { insertRows, updateRows } from './database/insert-rows';
export type { DatabaseMigrations, MigrationClass } from './database/migrations';
export { CORE_MIGRATIONS } from './migrations';
export { newId, isId } from './ids';
export { Clock, SystemClock } from './clock';
export {
  ThrottleStore,
  InMemoryThrottleStore,
  throttleKey,
  type ThrottleWindow,
} from './throttling/throttle-store';
export {
  PageQueryDto,
  PagingDto,
  NextPageDto,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  encodeCursor,
  decodeCursor,
  toPage,
  keysetPage,
  newestFirstPage,
  mapPage,
  type Page,
} from './pagination/pagination';
export {
  TASK_PRIVILEGES,
  TASK_PRIVILEGE_LIST_SCHEMA,
  definePrivileges,
  isTaskPrivilege,
  type TaskPrivilege,
} from './policy/task-privilege';
export {
  Public,
  Authenticated,
  RequirePrivilege,
  RequireSuperAdmin,
  ReadOnlyRoute,
  ROUTE_POLICY,
  READ_ONLY_ROUTE,
  type RoutePolicy,
} from './policy/route-policy';
export {
  PRIVILEGE_RESOLVER,
  SuperAdminPrivilegeResolver,
  type PrivilegeResolver,
} from './policy/privilege-resolver';
export { PolicyGuard } from './policy/policy.guard';
export {
  createLogger,
  PinoNestLogger,
  REDACTED_LOG_PATHS,
  type LoggerOptions,
} from './logging/logger';
export { httpLogging } from './logging/http-logging';
export { deriveKey } from './secrets';
export { FileStore, assertFileKey, type FileContent, type StoredFile } from './files/file-store';
export { FileStoreModule } from './files/file-store.module';
export { LocalDiskFileStore } from './files/local-disk-file-store';
export { MailTransport, type OutgoingMail } from './mail/mail-transport';
export {
  MAIL_CONTENT_POLICY,
  NoSensitiveFieldsMailPolicy,
  type CarriedField,
  type MailContentPolicy,
  type MailToSend,
} from './mail/mail-content-policy';
export { MailOutboxEntry, type MailStatus } from './mail/mail-outbox.entity';
export {
  MailOutbox,
  MAIL_DELIVERY_SCHEDULE,
  isMailAddress,
  retryDelayMs,
  type DeliveryRun,
  type MailBacklog,
} from './mail/mail-outbox';
export { MailModule, MAIL_ENTITIES } from './mail/mail.module';
export { type MailModuleOptions, type MailModuleExtras } from './mail/mail.module-definition';
export { MailOutboxController } from './mail/mail-outbox.controller';
export { OutboxMailDto, OutboxMailPageDto } from './mail/mail-outbox.dto';
export {
  Notification,
  NOTIFICATION_ENTITIES,
  type NotificationRefs,
} from './notifications/notification.entity';
export {
  NotificationInbox,
  type NotificationAddressBook,
  type NotificationEmailSettingView,
  type NotificationKind,
  type NotificationMail,
  type NotificationToSend,
  type NotificationView,
} from './notifications/notification-inbox';
export { NotificationEmailSetting } from './notifications/notification-email-setting.entity';
