import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger, type Clock } from '@custos/core';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '@custos/core/testing';
import { InitialAccountService } from '@custos/identity';
import { AppModule } from '../../src/app.module';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config';
import { configureApp } from '../../src/configure-app';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** The real server (same module, same wiring as `main.ts`) on a fresh database of one kind. */
export interface TestServer {
  readonly kind: DatabaseKind;
  readonly app: NestExpressApplication;
  readonly config: ServerConfig;
  readonly dataSource: DataSource;
  readonly database: TestDatabase;
  /** Id of the "Demo" account made at first start. */
  readonly accountId: string;
  /** Every line the server logged, for asserting that secrets never reach the log. */
  readonly logs: string[];
  http(): ReturnType<typeof request>;
  /** Signs in and returns a bearer token. */
  login(email?: string, password?: string, accountId?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /**
   * Another instance of the same deployment: this one uses its database (and master key),
   * which it neither sets up nor drops. Close this one before that one.
   */
  sameDatabaseAs?: TestServer;
  /** Feature modules the server does not wire yet (e.g. `CrmExportsModule`), added beside it. */
  imports?: (DynamicModule | Type)[];
}

/** The root of a server with extra modules (see {@link TestServerOptions.imports}). */
class TestServerModule {}

export async function startTestServer(
  kind: DatabaseKind,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const shared = options.sameDatabaseAs;
  const database: TestDatabase = shared
    ? { kind, url: shared.database.url, drop: async () => undefined }
    : await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-e2e-'));
  const config = loadServerConfig({
    DATABASE_URL: database.url,
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_MASTER_KEY: (shared?.config.masterKey ?? randomBytes(32)).toString('base64'),
    CUSTOS_ADMIN_EMAIL: ADMIN_EMAIL,
    CUSTOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    // Its own job queues when it uses Redis: test runs in parallel share one server.
    CUSTOS_JOB_REDIS_PREFIX:
      shared?.config.jobs.redisPrefix ?? `custos-test-${randomBytes(6).toString('hex')}`,
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel }, sink);
  const server = AppModule.forRoot(config, { clock: options.clock });
  const app = await NestFactory.create<NestExpressApplication>(
    options.imports?.length
      ? { module: TestServerModule, imports: [server, ...options.imports] }
      : server,
    {
      bodyParser: false,
      logger: false,
    },
  );
  configureApp(app, config, logger);
  await app.init();
  const initial = shared
    ? { accountId: shared.accountId }
    : await app
        .get(InitialAccountService)
        .ensure({ email: config.adminEmail, password: config.adminPassword });
  if (!initial) {
    throw new Error('A fresh test database already had an account');
  }
  const http = () => request(app.getHttpServer());
  return {
    kind,
    app,
    config,
    dataSource: app.get(DataSource),
    database,
    accountId: initial.accountId,
    logs,
    http,
    async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD, accountId?: string) {
      const response = await http().post('/api/v1/auth/login').send({ email, password, accountId });
      if (response.status !== 200) {
        throw new Error(
          `login of ${email} failed: ${response.status} ${JSON.stringify(response.body)}`,
        );
      }
      return (response.body as { accessToken: string }).accessToken;
    },
    async close() {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
