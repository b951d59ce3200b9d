import { randomBytes } from 'node:crypto';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  JOB_ENTITIES,
  NOTIFICATION_ENTITIES,
  RequestContext,
  deriveKey,
  type Actor,
} from '@custos/core';
import {
  FixedClock,
  connectionOptionsOf,
  createTestDatabase,
  type DatabaseKind,
} from '@custos/core/testing';
import { Global, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PRIVACY_MIGRATIONS } from '../migrations';
import { PRIVACY_ENTITIES } from '../privacy.entities';
import { PrivacyModule } from '../privacy.module';
import type { PrivacyModuleOptions } from '../privacy.module-definition';
import { PRIVACY_ASSIGNEES, type PrivacyAssignees } from '../requests/privacy-assignees';

/** Assignees kept in memory: `allow` a user of an account. A stand-in for identity in tests. */
@Injectable()
export class InMemoryPrivacyAssignees implements PrivacyAssignees {
  private readonly allowed = new Set<string>();

  allow(accountId: string, userId: string): void {
    this.allowed.add(`${accountId}/${userId}`);
  }

  mayHandle(accountId: string, userId: string): Promise<boolean> {
    return Promise.resolve(this.allowed.has(`${accountId}/${userId}`));
  }
}

/** The privacy lib booted on a real database. */
export interface PrivacyTestApp {
  readonly module: TestingModule;
  readonly clock: FixedClock;
  readonly dataSource: DataSource;
  readonly assignees: InMemoryPrivacyAssignees;
  get<T>(type: new (...args: never[]) => T): T;
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Boots core, audit and privacy on a fresh database of `kind`, schema from the migrations. */
export async function createPrivacyTestApp(
  kind: DatabaseKind,
  options: PrivacyModuleOptions & { clock?: FixedClock } = {},
): Promise<PrivacyTestApp> {
  const { clock = new FixedClock(), ...privacyOptions } = options;
  const database = await createTestDatabase(kind);

  @Global()
  @Module({
    providers: [
      InMemoryPrivacyAssignees,
      { provide: PRIVACY_ASSIGNEES, useExisting: InMemoryPrivacyAssignees },
    ],
    exports: [PRIVACY_ASSIGNEES, InMemoryPrivacyAssignees],
  })
  class TestAssigneesModule {}

  let module: TestingModule | undefined;
  try {
    module = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({ clock, verifyRoutePolicies: false }),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: [
            ...JOB_ENTITIES,
            ...NOTIFICATION_ENTITIES,
            ...AUDIT_ENTITIES,
            ...PRIVACY_ENTITIES,
          ],
          migrations: [
            ...CORE_MIGRATIONS[kind],
            ...AUDIT_MIGRATIONS[kind],
            ...PRIVACY_MIGRATIONS[kind],
          ],
          migrationsRun: true,
          ...(kind === 'postgres' ? { extra: { max: 20 } } : {}),
        }),
        AuditModule.forRoot({ signingKey: deriveKey(randomBytes(32), 'custos/audit-chain-head') }),
        TestAssigneesModule,
        PrivacyModule.forRoot(privacyOptions),
      ],
    }).compile();
    await module.init();
  } catch (error) {
    await module?.close();
    await database.drop();
    throw error;
  }
  const started = module;
  const context = started.get(RequestContext);
  return {
    module: started,
    clock,
    dataSource: started.get(DataSource),
    assignees: started.get(InMemoryPrivacyAssignees),
    get: (type) => started.get(type),
    as: (actor, work) => context.runAs(actor, work),
    close: async () => {
      await started.close();
      await database.drop();
    },
  };
}
