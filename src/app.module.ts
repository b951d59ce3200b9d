import {
  Inject,
  Logger,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  AccessModule,
  AccessService,
  READABLE_FIELDS,
} from '@custos/access';
import {
  AUDIT_METADATA_REDACTOR,
  AuditModule,
  FileAuditWitness,
  WebhookAuditWitness,
} from '@custos/audit';
import { CryptoModule, KeyRotationModule, LocalKeyProvider } from '@custos/crypto';
import {
  CoreModule,
  CustosValidationPipe,
  PolicyGuard,
  ProblemDetailsFilter,
  deriveKey,
  type Clock,
} from '@custos/core';
import { AuthenticationGuard, IdentityAccessDirectory, IdentityModule } from '@custos/identity';
import { ConfigError, type ServerConfig } from './config/server-config';
import { CrmAccessSubjects } from './crm/records/crm-access-subjects';
import { CrmAuditRedactor } from './crm/records/crm-audit-redactor';
import { CrmReadableFields } from './crm/records/crm-readable-fields';
import { AttachmentsModule } from './crm/attachments/attachments.module';
import { CrmModule } from './crm/crm.module';
import { FormsModule } from './crm/forms/forms.module';
import { ImportsModule } from './crm/imports/imports.module';
import { SealedValuesModule } from './crm/sensitive/sealed-values.module';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { OperationsModule } from './operations/operations.module';
import { OperatorModule } from './operator/operator.module';
import { BullJobBackend } from './redis/bullmq-job-backend';
import { RedisThrottleStore } from './redis/redis-throttle-store';
import { SensitiveDataModule } from './sensitive-data/sensitive-data.module';

/** The Redis connection of the server, when `REDIS_URL` is set. */
const REDIS = Symbol('REDIS');
const redisLogger = new Logger('Redis');

/** The reference server: every Custos lib composed over one database. */
@Module({})
export class AppModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis?: Redis) {}

  static forRoot(config: ServerConfig, overrides: { clock?: Clock } = {}): DynamicModule {
    // Connected in onModuleInit, which stops the start when Redis does not answer.
    const redis = config.redisUrl
      ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
      : undefined;
    // ioredis reconnects by itself; say so in the log (the message names no credentials).
    redis?.on('error', (error: Error) =>
      redisLogger.warn(`Redis connection error: ${error.message}`),
    );
    const attachments = AttachmentsModule.forRoot({
      directory: join(config.dataDir, 'attachments'),
      maxFileBytes: config.attachmentMaxBytes,
    });
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({
          isGlobal: true,
          clock: overrides.clock,
          privilegeResolver: AccessService,
          throttleStore: redis ? new RedisThrottleStore(redis) : undefined,
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
        AccessModule.forRoot({}),
        AuditModule.forRoot({
          signingKey: deriveKey(config.masterKey, 'custos/audit-chain-head'),
          witness: config.auditWitnessWebhook
            ? new WebhookAuditWitness(config.auditWitnessWebhook)
            : new FileAuditWitness(config.auditWitnessFile),
          checkpointIntervalSeconds: config.auditCheckpointSeconds,
        }),
        IdentityModule.forRoot({
          tokenSigningKey: deriveKey(config.masterKey, 'custos/access-token'),
          tokenTtlSeconds: config.tokenTtlSeconds,
          oidc: config.oidc,
          loginThrottle: config.loginThrottle,
        }),
        CryptoModule.forRoot({
          keyProvider: new LocalKeyProvider(deriveKey(config.masterKey, 'custos/key-encryption')),
        }),
        KeyRotationModule.forRoot({ batchSize: config.rotationBatchSize }),
        SensitiveDataModule,
        OperatorModule.forRoot({ token: config.operatorToken }),
        OperationsModule,
        CrmModule,
        SealedValuesModule.forRoot({ verifyIntervalSeconds: config.sealedValuesVerifySeconds }),
        ImportsModule.forRoot({
          directory: join(config.dataDir, 'imports'),
          maxFileBytes: config.importMaxBytes,
        }),
        FormsModule.forRoot({
          maxSubmissionsPerIp: config.formSubmissionThrottle.maxPerIp,
          submissionWindowSeconds: config.formSubmissionThrottle.windowSeconds,
          attachments,
        }),
        attachments,
      ],
      controllers: [HealthController],
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
        ...(redis ? [{ provide: REDIS, useValue: redis }] : []),
      ],
    };
  }

  /**
   * A configured Redis that does not answer stops the start, naming the setting: checked before
   * any module's bootstrap, so before the job workers start on it.
   */
  async onModuleInit(): Promise<void> {
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
