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
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CoreModule,
  CustosValidationPipe,
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

/** Your own 32-byte secret, e.g. from a secret manager. */
const masterSecret = Buffer.from(process.env.MY_APP_SECRET ?? '', 'base64');

@Module({
  imports: [
    CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }), // roles decide task privileges
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: 'my-app.sqlite',
      entities: [
        ...AUDIT_ENTITIES,
        ...ACCESS_ENTITIES,
        ...IDENTITY_ENTITIES /* , ...your entities */,
      ],
      migrations: [
        ...AUDIT_MIGRATIONS.sqlite,
        ...ACCESS_MIGRATIONS.sqlite,
        ...IDENTITY_MIGRATIONS.sqlite /* , ...your migrations */,
      ],
      migrationsRun: true,
    }),
    AccessModule.forRoot({}),
    AuditModule.forRoot({ signingKey: deriveKey(masterSecret, 'my-app/audit') }),
    IdentityModule.forRoot({
      tokenSigningKey: deriveKey(masterSecret, 'my-app/access-token'),
      tokenTtlSeconds: 900,
      oidc: {
        issuer: 'https://login.example.com/',
        audience: 'my-app',
        jwksUrl: 'https://login.example.com/.well-known/jwks.json',
      },
    }),
    IdentityHttpModule, // the REST API (opt-in), under your prefix:
    RouterModule.register([{ path: 'api/v1', module: IdentityHttpModule }]),
  ],
  providers: [
    { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory }, // who is in which team and unit
    { provide: APP_GUARD, useExisting: AuthenticationGuard }, // who is calling
    { provide: APP_GUARD, useExisting: PolicyGuard }, // may they call this route
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useClass: CustosValidationPipe },
  ],
})
export class MyAppModule {}
