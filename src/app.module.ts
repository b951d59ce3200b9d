import {
  Inject,
  Logger,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  AccessHttpModule,
  AccessModule,
  AccessService,
  READABLE_FIELDS,
} from '@custos/access';
import {
  AUDIT_METADATA_REDACTOR,
  AuditHttpModule,
  AuditModule,
  FileAuditWitness,
  WebhookAuditWitness,
} from '@custos/audit';
import { ApprovalsModule } from '@custos/approvals';
import { ConsentHttpModule, ConsentModule } from '@custos/consent';
import {
  PrivacyErasureHttpModule,
  PrivacyErasureModule,
  PrivacyPackagesHttpModule,
  PrivacyPackagesModule,
  PrivacyHttpModule,
  PrivacyModule,
  PrivacyRightsHttpModule,
  PrivacyRightsModule,
} from '@custos/privacy';
import { ExportsHttpModule, ExportsModule } from '@custos/exports';
import { PartnersHttpModule, PartnersModule } from '@custos/partners';
import { CryptoModule, KeyRotationModule, LocalKeyProvider } from '@custos/crypto';
import {
  CoreModule,
  CustosValidationPipe,
  FileStore,
  FileStoreModule,
  LocalDiskFileStore,
  MailModule,
  PolicyGuard,
  ProblemDetailsFilter,
  deriveKey,
  type Clock,
} from '@custos/core';
import { S3FileStore } from '@custos/core/s3';
import { SmtpMailTransport } from '@custos/core/smtp';
import {
  AuthenticationGuard,
  IdentityAccessDirectory,
  IdentityHttpModule,
  IdentityModule,
  IdentityScimModule,
  IdentityScimTokensHttpModule,
} from '@custos/identity';
import { ConfigError, type ServerConfig } from './config/server-config';
import {
  CrmAccessSubjects,
  CrmAuditRedactor,
  CrmReadableFields,
  RecordTotalsModule,
} from './crm/records';
import { AttachmentsModule } from './crm/attachments';
import { CrmModule } from './crm/crm.module';
import { CrmConsentModule } from './crm/consent';
import { ServerPrivacyModule } from './privacy';
import { CrmExportsModule } from './crm/exports';
import { FormsModule } from './crm/forms';
import { ImportsModule } from './crm/imports';
import { MailingsModule } from './crm/mailings';
import { SealedValuesModule } from './crm/sensitive';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { MemberAddressBook } from './notifications/member-address-book';
import { NotificationSettingsController } from './notifications/notification-settings.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { OperationsModule } from './operations/operations.module';
import { OperatorModule } from './operator/operator.module';
import { BullJobBackend } from './redis/bullmq-job-backend';
import { RedisThrottleStore } from './redis/redis-throttle-store';
import { REDIS } from './redis/redis.token';
import { SensitiveDataMailPolicy } from './sensitive-data/mail-content-policy';
import { SensitiveDataModule } from './sensitive-data/sensitive-data.module';
// Defines the server's own task privileges before any route or DTO needs them.
import './task-privileges';

const redisLogger = new Logger('Redis');

/** The reference server: every Custos lib composed over one database. */
@Module({})
export class AppModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly files: FileStore,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {}

  static forRoot(config: ServerConfig, overrides: { clock?: Clock } = {}): DynamicModule {
    // Connected in onModuleInit, which stops the start when Redis does not answer.
    const redis = config.redisUrl
      ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
      : undefined;
    // ioredis reconnects by itself; say so in the log (the message names no credentials).
    redis?.on('error', (error: Error) =>
      redisLogger.warn(`Redis connection error: ${error.message}`),
    );
    const attachments = AttachmentsModule.forRoot({ maxFileBytes: config.attachmentMaxBytes });
    const files =
      config.fileStore.kind === 's3'
        ? new S3FileStore(config.fileStore.options)
        : new LocalDiskFileStore(config.fileStore.directory);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({
          isGlobal: true,
          clock: overrides.clock,
          privilegeResolver: AccessService,
          throttleStore: redis ? new RedisThrottleStore(redis) : undefined,
          notificationMail: {
            addressBook: MemberAddressBook,
            link: config.mail.publicUrl && `${config.mail.publicUrl}/api/v1/me/notifications`,
          },
          jobs: {
            leaseMs: config.jobs.leaseSeconds * 1000,
            pollMs: config.jobs.pollMs,
            backend: config.redisUrl
              ? new BullJobBackend({
                  url: config.redisUrl,
                  prefix: config.jobs.redisPrefix,
                  leaseMs: config.jobs.leaseSeconds * 1000,
                })
              : undefined,
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.database)),
        FileStoreModule.forRoot(files),
        MailModule.forRoot({
          from: config.mail.from,
          transport: config.mail.smtpUrl
            ? new SmtpMailTransport(config.mail.smtpUrl, { dkim: config.mail.dkim })
            : undefined,
          contentPolicy: SensitiveDataMailPolicy,
          deliveryEverySeconds: config.mail.deliveryEverySeconds,
        }),
        AccessModule.forRoot({}),
        AccessHttpModule,
        AuditModule.forRoot({
          signingKey: deriveKey(config.masterKey, 'custos/audit-chain-head'),
          witness: config.auditWitnessWebhook
            ? new WebhookAuditWitness(config.auditWitnessWebhook)
            : new FileAuditWitness(config.auditWitnessFile),
          checkpointIntervalSeconds: config.auditCheckpointSeconds,
        }),
        AuditHttpModule,
        IdentityModule.forRoot({
          tokenSigningKey: deriveKey(config.masterKey, 'custos/access-token'),
          tokenTtlSeconds: config.tokenTtlSeconds,
          oidc: config.oidc,
          loginThrottle: config.loginThrottle,
        }),
        IdentityHttpModule,
        IdentityScimModule.forRoot({ requestsPerMinute: config.scimRequestsPerMinute }),
        IdentityScimTokensHttpModule,
        ApprovalsModule.forRoot(config.approvals),
        ExportsModule.forRoot(config.exports),
        ExportsHttpModule,
        ConsentModule.forRoot({
          secret: deriveKey(config.masterKey, 'custos/consent'),
          publicUrl: config.mail.publicUrl && `${config.mail.publicUrl}/api/v1`,
          ...config.consent,
        }),
        ConsentHttpModule,
        PartnersModule.forRoot({
          linkSigningKey: deriveKey(config.masterKey, 'custos/partner-link'),
          ...config.partners,
        }),
        PartnersHttpModule,
        PrivacyModule.forRoot({
          ...config.privacy,
          publicUrl: config.mail.publicUrl && `${config.mail.publicUrl}/api/v1`,
        }),
        PrivacyHttpModule,
        PrivacyRightsModule,
        PrivacyRightsHttpModule,
        PrivacyErasureModule,
        PrivacyErasureHttpModule,
        PrivacyPackagesModule,
        PrivacyPackagesHttpModule,
        ServerPrivacyModule,
        // The libs' REST APIs have relative paths; the server serves them under its prefix.
        RouterModule.register([
          {
            path: 'api/v1',
            children: [
              AccessHttpModule,
              AuditHttpModule,
              IdentityHttpModule,
              IdentityScimTokensHttpModule,
              ExportsHttpModule,
              ConsentHttpModule,
              PartnersHttpModule,
              PrivacyHttpModule,
              PrivacyRightsHttpModule,
              PrivacyErasureHttpModule,
              PrivacyPackagesHttpModule,
            ],
          },
          // SCIM clients expect the protocol's own root, outside the REST API's prefix.
          { path: 'scim/v2', module: IdentityScimModule },
        ]),
        CryptoModule.forRoot({
          keyProvider: new LocalKeyProvider(deriveKey(config.masterKey, 'custos/key-encryption')),
          openingWorkers: config.openingWorkers,
        }),
        KeyRotationModule.forRoot({ batchSize: config.rotationBatchSize }),
        RecordTotalsModule.forRoot({ exactUpTo: config.exactTotalUpTo }),
        SensitiveDataModule,
        OperatorModule.forRoot({ token: config.operatorToken }),
        OperationsModule,
        CrmModule,
        CrmExportsModule,
        CrmConsentModule,
        MailingsModule,
        SealedValuesModule.forRoot({ verifyIntervalSeconds: config.sealedValuesVerifySeconds }),
        ImportsModule.forRoot({ maxFileBytes: config.importMaxBytes }),
        FormsModule.forRoot({
          maxSubmissionsPerIp: config.formSubmissionThrottle.maxPerIp,
          submissionWindowSeconds: config.formSubmissionThrottle.windowSeconds,
          attachments,
        }),
        attachments,
        ...(config.metrics ? [MetricsModule.forRoot(config.metrics)] : []),
      ],
      controllers: [HealthController, NotificationsController, NotificationSettingsController],
      providers: [
        // Order matters: authentication binds the actor, then the route's policy is checked.
        { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
        { provide: ACCESS_SUBJECTS, useExisting: CrmAccessSubjects },
        { provide: READABLE_FIELDS, useExisting: CrmReadableFields },
        { provide: AUDIT_METADATA_REDACTOR, useExisting: CrmAuditRedactor },
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
        { provide: APP_GUARD, useExisting: PolicyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: CustosValidationPipe },
        MemberAddressBook,
        ...(redis ? [{ provide: REDIS, useValue: redis }] : []),
      ],
    };
  }

  /**
   * A file store that cannot be used, or a configured Redis that does not answer, stops the start
   * naming the setting: checked before any module's bootstrap, so before the job workers start.
   */
  async onModuleInit(): Promise<void> {
    try {
      await this.files.checkReady();
    } catch (error) {
      throw new ConfigError(
        this.files instanceof S3FileStore ? 'S3_BUCKET' : 'CUSTOS_DATA_DIR',
        `The file store cannot be used (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    await this.checkRedis();
  }

  private async checkRedis(): Promise<void> {
    if (!this.redis) {
      return;
    }
    try {
      if (this.redis.status === 'wait') {
        await this.redis.connect();
      }
      await this.redis.ping();
    } catch (error) {
      this.redis.disconnect();
      throw new ConfigError(
        'REDIS_URL',
        `Redis does not answer (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.status === 'ready') {
      await this.redis.quit();
    }
  }
}
