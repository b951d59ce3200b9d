import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { ACCESS_DIRECTORY, ACCESS_SUBJECTS, AccessModule, AccessService } from '@custos/access';
import { AuditModule } from '@custos/audit';
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
import type { ServerConfig } from './config/server-config';
import { CrmAccessSubjects } from './crm/access/crm-access-subjects';
import { AttachmentsModule } from './crm/attachments/attachments.module';
import { CrmModule } from './crm/crm.module';
import { FormsModule } from './crm/forms/forms.module';
import { ImportsModule } from './crm/imports/imports.module';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { OperatorModule } from './operator/operator.module';
import { SensitiveDataModule } from './sensitive-data/sensitive-data.module';

/** The reference server: every Custos lib composed over one database. */
@Module({})
export class AppModule {
  static forRoot(config: ServerConfig, overrides: { clock?: Clock } = {}): DynamicModule {
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
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.database)),
        AccessModule.forRoot({}),
        AuditModule.forRoot({ signingKey: deriveKey(config.masterKey, 'custos/audit-chain-head') }),
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
        CrmModule,
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
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
        { provide: APP_GUARD, useExisting: PolicyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: CustosValidationPipe },
      ],
    };
  }
}
