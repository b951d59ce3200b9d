import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { RequestContext, type Actor } from '@custos/core';
import { createTestDatabase, type DatabaseKind } from '@custos/core/testing';
import { InitialAccountService, User } from '@custos/identity';
import { AppModule } from '../../app.module';
import { loadServerConfig } from '../../config/server-config';

/** The server's modules without HTTP, on a fresh database, with its first account and admin. */
export interface CrmTestApp {
  readonly app: INestApplicationContext;
  readonly dataSource: DataSource;
  readonly accountId: string;
  /** The account's first user: a super admin, in person. */
  readonly admin: Actor;
  /** Directory of the server's files (imports, attachments). */
  readonly dataDir: string;
  /** Runs `work` as `actor` (default: the admin), as a request would. */
  as<T>(work: () => Promise<T>, actor?: Actor): Promise<T>;
  close(): Promise<void>;
}

/** For service-level integration specs of the CRM: real services and database, no HTTP. */
export async function startCrmTestApp(kind: DatabaseKind): Promise<CrmTestApp> {
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-crm-'));
  const email = 'admin@example.com';
  const config = loadServerConfig({
    DATABASE_URL: database.url,
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
    CUSTOS_ADMIN_EMAIL: email,
    CUSTOS_ADMIN_PASSWORD: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'error',
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  moduleRef.useLogger(false);
  const app = await moduleRef.init();
  const initial = await app
    .get(InitialAccountService)
    .ensure({ email: config.adminEmail, password: config.adminPassword });
  const dataSource = app.get(DataSource);
  const user = await dataSource.getRepository(User).findOneByOrFail({ email });
  const admin: Actor = {
    kind: 'user',
    id: user.id,
    accountId: initial!.accountId,
    userId: user.id,
    label: email,
    superAdmin: true,
  };
  const context = app.get(RequestContext);
  return {
    app,
    dataSource,
    accountId: admin.accountId,
    admin,
    dataDir,
    as: (work, actor = admin) => context.runAs(actor, work),
    async close() {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
