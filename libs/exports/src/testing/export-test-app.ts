import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ACCESS_DIRECTORY, ACCESS_ENTITIES, AccessModule, AccessService } from '@custos/access';
import { APPROVAL_ENTITIES, ApprovalsModule } from '@custos/approvals';
import { AUDIT_ENTITIES, AuditModule } from '@custos/audit';
import {
  CoreModule,
  FileStoreModule,
  JOB_ENTITIES,
  LocalDiskFileStore,
  NOTIFICATION_ENTITIES,
  RequestContext,
  TransactionHost,
} from '@custos/core';
import { FixedClock, startTestModule, type DatabaseKind } from '@custos/core/testing';
import {
  CRYPTO_ENTITIES,
  CryptoModule,
  KEY_ROTATION_ENTITIES,
  KeyRotationModule,
} from '@custos/crypto';
import { testKeyProvider } from '@custos/crypto/testing';
import { IDENTITY_ENTITIES, IdentityAccessDirectory, IdentityModule } from '@custos/identity';
import { EXPORT_SOURCES } from '../export-source';
import { EXPORTS_ENTITIES, ExportsModule } from '../exports.module';
import type { ExportsModuleOptions } from '../exports.module-definition';
import { ExportTestItem, TestExportSource } from './test-export-source';

/**
 * `@custos/exports` with every lib it needs (and data-key rotation, in which sealed export files
 * take part), on a real database and a real disk, no HTTP.
 */
export interface ExportsTestApp {
  readonly kind: DatabaseKind;
  readonly module: TestingModule;
  readonly transactions: TransactionHost;
  readonly context: RequestContext;
  readonly dataSource: DataSource;
  readonly clock: FixedClock;
  readonly source: TestExportSource;
  /** The folder of the local file store. */
  readonly files: string;
  close(): Promise<void>;
}

export async function createExportsTestApp(
  kind: DatabaseKind,
  options: ExportsModuleOptions = {},
): Promise<ExportsTestApp> {
  const clock = new FixedClock();
  const files = mkdtempSync(join(tmpdir(), 'custos-exports-'));
  const { module: app, close } = await startTestModule(kind, (connection) => ({
    imports: [
      CoreModule.forRoot({
        isGlobal: true,
        clock,
        verifyRoutePolicies: false,
        privilegeResolver: AccessService,
        jobs: { pollMs: 20 },
      }),
      TypeOrmModule.forRoot({
        ...connection,
        entities: [
          ...AUDIT_ENTITIES,
          ...ACCESS_ENTITIES,
          ...IDENTITY_ENTITIES,
          ...CRYPTO_ENTITIES,
          ...KEY_ROTATION_ENTITIES,
          ...JOB_ENTITIES,
          ...NOTIFICATION_ENTITIES,
          ...APPROVAL_ENTITIES,
          ...EXPORTS_ENTITIES,
          ExportTestItem,
        ],
        synchronize: true,
      }),
      FileStoreModule.forRoot(new LocalDiskFileStore(files)),
      AuditModule.forRoot({ signingKey: randomBytes(32) }),
      CryptoModule.forRoot({ keyProvider: testKeyProvider() }),
      KeyRotationModule.forRoot({ batchSize: 2 }),
      AccessModule.forRoot({}),
      IdentityModule.forRoot({ tokenSigningKey: randomBytes(32) }),
      ApprovalsModule.forRoot({}),
      ExportsModule.forRoot({ progressEveryRows: 50, ...options }),
    ],
    providers: [
      { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
      {
        provide: EXPORT_SOURCES,
        useFactory: (transactions: TransactionHost, context: RequestContext) => [
          new TestExportSource(transactions, context),
        ],
        inject: [TransactionHost, RequestContext],
      },
    ],
  }));
  return {
    kind,
    module: app,
    transactions: app.get(TransactionHost),
    context: app.get(RequestContext),
    dataSource: app.get(DataSource),
    clock,
    source: app.get<TestExportSource[]>(EXPORT_SOURCES)[0],
    files,
    close: async () => {
      await close();
      rmSync(files, { recursive: true, force: true });
    },
  };
}
