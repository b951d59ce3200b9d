import {
  Inject,
  Logger,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { join } from 'node:path';
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
import { CryptoModule, KeyRotationModule, LocalKeyProvider } from '@custos/crypto';
import {
  CoreModule,
  CustosValidationPipe,
  PolicyGuard,
  ProblemDetailsFilter,
  deriveKey,
  type Clock,
} from '@custos/core';
import {
  AuthenticationGuard,
  IdentityAccessDirectory,
  IdentityHttpModule,
  IdentityModule,
} from '@custos/identity';
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
import { OperatorModule } from './operator/operator.module';
import { RedisThrottleStore } from './redis/redis-throttle-store';
import { SensitiveDataModule } from './sensitive-data/sensitive-data.module';
// Defines the server's own task privileges before any route or DTO needs them.
import './task-privileges';

/** The Redis connection of the server, when `REDIS_URL` is set. */
const REDIS = Symbol('REDIS');
const redisLogger = new Logger('Redis');

/** The reference server: every Custos lib composed over one database. */
@Module({})
export class AppModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis?: Redis) {}

  static forRoot(config: ServerConfig, overrides: { clock?: Clock } = {}): DynamicModule {
    // Connected in onApplicationBootstrap, which stops the start when Redis does not answer.
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
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.database)),
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
        // The libs' REST APIs have relative paths; the server serves them under its prefix.
        RouterModule.register([
          { path: 'api/v1', children: [AccessHttpModule, AuditHttpModule, IdentityHttpModule] },
        ]),
        CryptoModule.forRoot({
          keyProvider: new LocalKeyProvider(deriveKey(config.masterKey, 'custos/key-encryption')),
        }),
        KeyRotationModule.forRoot({ batchSize: config.rotationBatchSize }),
        SensitiveDataModule,
        OperatorModule.forRoot({ token: config.operatorToken }),
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

  /** A configured Redis that does not answer stops the start, naming the setting. */
  async onApplicationBootstrap(): Promise<void> {
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
