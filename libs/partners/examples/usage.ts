import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_ENTITIES,
  ACCESS_MIGRATIONS,
  AccessModule,
  AccessService,
} from '@custos/access';
import { APPROVAL_ENTITIES, APPROVAL_MIGRATIONS, ApprovalsModule } from '@custos/approvals';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  CustosValidationPipe,
  JOB_ENTITIES,
  NOTIFICATION_ENTITIES,
  PolicyGuard,
  ProblemDetailsFilter,
  deriveKey,
} from '@custos/core';
import {
  AuthenticationGuard,
  IDENTITY_ENTITIES,
  IDENTITY_MIGRATIONS,
  IdentityAccessDirectory,
  IdentityHttpModule,
  IdentityModule,
} from '@custos/identity';
import {
  PARTNER_ENTITIES,
  PARTNER_MIGRATIONS,
  PartnersHttpModule,
  PartnersModule,
} from '@custos/partners';

/** Your own 32-byte secret, e.g. from a secret manager. */
const masterSecret = Buffer.from(process.env.MY_APP_SECRET ?? '', 'base64');

@Module({
  imports: [
    CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }),
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: 'my-app.sqlite',
      entities: [
        ...AUDIT_ENTITIES,
        ...ACCESS_ENTITIES,
        ...IDENTITY_ENTITIES,
        ...JOB_ENTITIES,
        ...NOTIFICATION_ENTITIES,
        ...APPROVAL_ENTITIES,
        ...PARTNER_ENTITIES /* , ...your entities */,
      ],
      migrations: [
        ...CORE_MIGRATIONS.sqlite,
        ...AUDIT_MIGRATIONS.sqlite,
        ...ACCESS_MIGRATIONS.sqlite,
        ...IDENTITY_MIGRATIONS.sqlite,
        ...APPROVAL_MIGRATIONS.sqlite,
        ...PARTNER_MIGRATIONS.sqlite /* , ...your migrations */,
      ],
      migrationsRun: true,
    }),
    AuditModule.forRoot({ signingKey: deriveKey(masterSecret, 'my-app/audit') }),
    AccessModule.forRoot({}),
    IdentityModule.forRoot({ tokenSigningKey: deriveKey(masterSecret, 'my-app/access-token') }),
    ApprovalsModule.forRoot({}), // access links are approved through it
    PartnersModule.forRoot({ linkSigningKey: deriveKey(masterSecret, 'my-app/partner-link') }),
    IdentityHttpModule,
    PartnersHttpModule,
    RouterModule.register([
      { path: 'api/v1', module: IdentityHttpModule },
      { path: 'api/v1', module: PartnersHttpModule },
    ]),
  ],
  providers: [
    { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_GUARD, useExisting: PolicyGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useClass: CustosValidationPipe },
  ],
})
export class MyAppModule {}
