import { randomBytes } from 'node:crypto';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  JOB_ENTITIES,
  MAIL_ENTITIES,
  NOTIFICATION_ENTITIES,
  RequestContext,
  deriveKey,
  newId,
  type Actor,
} from '@custos/core';
import {
  FixedClock,
  connectionOptionsOf,
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '@custos/core/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APPROVAL_ENTITIES } from '../approvals.entities';
import { ApprovalsModule } from '../approvals.module';
import { Approvals } from '../approvals.service';
import { APPROVAL_MIGRATIONS } from '../migrations';
import { TestApprovalKind } from './test-approval-kind';

/** A member of an account acting in person (not a super admin unless asked). */
export function personActor(accountId: string, overrides: Partial<Actor> = {}): Actor {
  const id = overrides.userId ?? newId();
  return {
    kind: 'user',
    id,
    accountId,
    userId: id,
    label: 'someone@example.com',
    superAdmin: false,
    ...overrides,
  };
}

/** The approvals lib booted on a real database, with its migrations and a {@link TestApprovalKind}. */
export interface ApprovalsTestApp {
  readonly module: TestingModule;
  readonly sut: Approvals;
  readonly kind: TestApprovalKind;
  readonly clock: FixedClock;
  readonly dataSource: DataSource;
  readonly database: TestDatabase;
  /** The audit chain's signing key: a second instance on the same database needs the same. */
  readonly auditSigningKey: Buffer;
  /** Runs `work` as `actor` in a fresh request context. */
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T>;
  /** Raw SQL with `$1, $2…` placeholders on both drivers (numbered in order of use). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Closes the module, then drops its database unless it was given. */
  close(): Promise<void>;
}

/**
 * Boots core, audit and approvals on a fresh database of `kind` (or on `database` with the same
 * `auditSigningKey`, to run a second instance beside another), schema from the migrations. The
 * expiry schedule is off unless `expireEverySeconds` is given: tests call `expireDue` themselves.
 */
export async function createApprovalsTestApp(
  kind: DatabaseKind,
  options: {
    clock?: FixedClock;
    database?: TestDatabase;
    auditSigningKey?: Buffer;
    /** Runs the expiry schedule every so many seconds. Default 0: off. */
    expireEverySeconds?: number;
  } = {},
): Promise<ApprovalsTestApp> {
  const clock = options.clock ?? new FixedClock();
  const approvalKind = new TestApprovalKind();
  const auditSigningKey =
    options.auditSigningKey ?? deriveKey(randomBytes(32), 'custos/audit-chain-head');
  const database = options.database ?? (await createTestDatabase(kind));
  const connection = connectionOptionsOf(database);
  const builder = Test.createTestingModule({
    imports: [
      CoreModule.forRoot({ clock, verifyRoutePolicies: false, jobs: { pollMs: 50 } }),
      TypeOrmModule.forRoot({
        ...connection,
        entities: [
          ...JOB_ENTITIES,
          ...MAIL_ENTITIES,
          ...NOTIFICATION_ENTITIES,
          ...AUDIT_ENTITIES,
          ...APPROVAL_ENTITIES,
        ],
        migrations: [
          ...CORE_MIGRATIONS[kind],
          ...AUDIT_MIGRATIONS[kind],
          ...APPROVAL_MIGRATIONS[kind],
        ],
        migrationsRun: true,
        ...(kind === 'postgres' ? { extra: { max: 20 } } : {}),
      }),
      AuditModule.forRoot({ signingKey: auditSigningKey }),
      ApprovalsModule.forRoot({ expireEverySeconds: options.expireEverySeconds ?? 0 }),
    ],
  });
  const drop = () => (options.database ? Promise.resolve() : database.drop());
  let module: TestingModule | undefined;
  try {
    module = await builder.compile();
    await module.init();
  } catch (error) {
    await module?.close();
    await drop();
    throw error;
  }
  const started = module;
  const sut = started.get(Approvals);
  sut.register(approvalKind);
  const dataSource = started.get(DataSource);
  const context = started.get(RequestContext);
  return {
    module: started,
    sut,
    kind: approvalKind,
    clock,
    dataSource,
    database,
    auditSigningKey,
    as: (actor, work) => context.runAs(actor, work),
    sql: <T>(text: string, params: unknown[] = []) =>
      dataSource.query<T[]>(kind === 'sqlite' ? text.replace(/\$\d+/g, '?') : text, params),
    close: async () => {
      await started.close();
      await drop();
    },
  };
}
