import { Test } from '@nestjs/testing';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  AccessModule,
  AccessService,
  READABLE_FIELDS,
  RoleService,
  type AccessLevel,
  type RecordAction,
} from '@custos/access';
import { AUDIT_METADATA_REDACTOR, AuditModule } from '@custos/audit';
import { CoreModule, RequestContext, type Actor } from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '@custos/core/testing';
import { CryptoModule, KeyRotationModule, LocalKeyProvider } from '@custos/crypto';
import {
  IdentityAccessDirectory,
  IdentityModule,
  InitialAccountService,
  Membership,
  UserService,
} from '@custos/identity';
import { AppModule } from '../../app.module';
import { loadServerConfig } from '../../config';
import { dataSourceOptions } from '../../database';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { CrmAccessSubjects, CrmAuditRedactor, CrmReadableFields, RecordsModule } from '../records';

/**
 * Which modules the app holds: the whole server (`'server'`, for features above the records
 * core: imports, forms) or the records core alone on the libs it stands on (`'records'`, which
 * also proves the core needs no higher feature).
 */
export type CrmTestModules = 'server' | 'records';

/** The CRM's services over a fresh real database, without HTTP, with an account and its admin. */
export interface CrmTestApp {
  readonly app: INestApplicationContext;
  readonly dataSource: DataSource;
  readonly accountId: string;
  /** The account's first user: a super admin, in person. */
  readonly admin: Actor;
  /** Directory of the server's files (imports, attachments). */
  readonly dataDir: string;
  /** Runs `work` as `actor`, as a request would. */
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T>;
  /** An active member of the account holding one role with these contact privileges. */
  member(privileges: { action: RecordAction; level: AccessLevel }[]): Promise<Actor>;
  close(): Promise<void>;
}

const ADMIN_EMAIL = 'admin@example.com';

/** For service-level integration specs of the CRM: real services and database, no HTTP. */
export async function startCrmTestApp(
  kind: DatabaseKind,
  { modules = 'server' }: { modules?: CrmTestModules } = {},
): Promise<CrmTestApp> {
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-crm-'));
  const password = randomBytes(16).toString('hex');
  const moduleRef = await Test.createTestingModule(
    modules === 'server'
      ? { imports: [AppModule.forRoot(serverConfig(database, dataDir, password))] }
      : recordsCore(database),
  ).compile();
  moduleRef.useLogger(false);
  const app = await moduleRef.init();
  const initial = await app.get(InitialAccountService).ensure({ email: ADMIN_EMAIL, password });
  const accountId = initial!.accountId;
  const dataSource = app.get(DataSource);
  const [membership] = await dataSource.manager.findBy(Membership, {
    accountId,
    superAdmin: true,
  });
  const admin = actorOf(accountId, membership.userId, ADMIN_EMAIL, true);
  const context = app.get(RequestContext);
  const as = <T>(actor: Actor, work: () => Promise<T>): Promise<T> => context.runAs(actor, work);
  let members = 0;
  return {
    app,
    dataSource,
    accountId,
    admin,
    dataDir,
    as,
    member: (privileges) =>
      as(admin, async () => {
        members += 1;
        const email = `member${members}@crm.test`;
        const user = await app.get(UserService).create({ email, displayName: `Member ${members}` });
        await dataSource.manager.update(
          Membership,
          { accountId, userId: user.id },
          { status: 'active' },
        );
        const roles = app.get(RoleService);
        const role = await roles.create({
          name: `Role ${members}`,
          privileges: privileges.map((p) => ({ objectType: 'contacts', ...p })),
          taskPrivileges: [],
        });
        await roles.assign(role.id, { principalType: 'user', principalId: user.id });
        return actorOf(accountId, user.id, email, false);
      }),
    async close() {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function serverConfig(database: TestDatabase, dataDir: string, password: string) {
  return loadServerConfig({
    DATABASE_URL: database.url,
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
    CUSTOS_ADMIN_EMAIL: ADMIN_EMAIL,
    CUSTOS_ADMIN_PASSWORD: password,
    LOG_LEVEL: 'error',
  });
}

/** `RecordsModule` on the libs it stands on, wired as the server wires them. */
function recordsCore(database: TestDatabase): {
  imports: (DynamicModule | Type)[];
  providers: { provide: string | symbol | Type; useExisting: Type }[];
} {
  return {
    imports: [
      CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }),
      TypeOrmModule.forRoot(dataSourceOptions(connectionOptionsOf(database))),
      AccessModule.forRoot({}),
      AuditModule.forRoot({ signingKey: randomBytes(32) }),
      IdentityModule.forRoot({ tokenSigningKey: randomBytes(32) }),
      CryptoModule.forRoot({ keyProvider: new LocalKeyProvider(randomBytes(32)) }),
      KeyRotationModule.forRoot({ batchSize: 100 }),
      SensitiveDataModule,
      RecordsModule,
    ],
    providers: [
      { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
      { provide: ACCESS_SUBJECTS, useExisting: CrmAccessSubjects },
      { provide: READABLE_FIELDS, useExisting: CrmReadableFields },
      { provide: AUDIT_METADATA_REDACTOR, useExisting: CrmAuditRedactor },
    ],
  };
}

function actorOf(accountId: string, userId: string, label: string, superAdmin: boolean): Actor {
  return { kind: 'user', id: userId, userId, accountId, label, superAdmin };
}
