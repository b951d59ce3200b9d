import { randomBytes } from 'node:crypto';
import {
  CoreModule,
  JOB_ENTITIES,
  RequestContext,
  TransactionHost,
  newId,
  type Actor,
} from '@custos/core';
import { FixedClock, startTestModule, type DatabaseKind } from '@custos/core/testing';
import type { Provider } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { AUDIT_ENTITIES } from '../audit.entities';
import { AuditModule } from '../audit.module';
import { AuditService } from '../audit.service';
import type { AuditWitness } from '../witness/audit-witness';

/** A stand-in for the host's data: the "change" that an audit event describes. */
@Entity('audit_test_widget')
export class TestWidget {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'audit_test_widget_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;
}

/** The audit lib booted on a real database, for the lib's own integration specs. */
export interface AuditTestApp {
  readonly kind: DatabaseKind;
  readonly module: TestingModule;
  readonly sut: AuditService;
  readonly transactions: TransactionHost;
  readonly context: RequestContext;
  readonly dataSource: DataSource;
  readonly clock: FixedClock;
  readonly signingKey: Buffer;
  /** Raw SQL with `$1, $2…` placeholders on both drivers (numbered in order of use). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` as a fresh user of `accountId` (a new account by default). */
  as<T>(work: (actor: Actor) => Promise<T>, accountId?: string): Promise<T>;
  close(): Promise<void>;
}

export function testActor(accountId: string = newId(), overrides: Partial<Actor> = {}): Actor {
  const id = newId();
  return {
    kind: 'user',
    id,
    accountId,
    userId: id,
    label: 'ada@example.com',
    superAdmin: true,
    ...overrides,
  };
}

/**
 * `providers`: the host's, e.g. an `AUDIT_METADATA_REDACTOR`, found by the lib like any host
 * provider; `witness`: where checkpoints go (none by default).
 */
export async function createAuditTestApp(
  kind: DatabaseKind,
  options: { providers?: Provider[]; witness?: AuditWitness } = {},
): Promise<AuditTestApp> {
  const clock = new FixedClock();
  const signingKey = randomBytes(32);
  const { module: app, close } = await startTestModule(kind, (connection) => ({
    imports: [
      CoreModule.forRoot({ clock, verifyRoutePolicies: false }),
      TypeOrmModule.forRoot({
        ...connection,
        // The checkpoints of a witness are a scheduled job.
        entities: [...AUDIT_ENTITIES, ...JOB_ENTITIES, TestWidget],
        synchronize: true,
      }),
      AuditModule.forRoot({ signingKey, witness: options.witness }),
    ],
    providers: options.providers ?? [],
  }));
  const dataSource = app.get(DataSource);
  const context = app.get(RequestContext);
  return {
    kind,
    module: app,
    sut: app.get(AuditService),
    transactions: app.get(TransactionHost),
    context,
    dataSource,
    clock,
    signingKey,
    sql: <T>(text: string, params: unknown[] = []) =>
      dataSource.query<T[]>(kind === 'sqlite' ? text.replace(/\$\d+/g, '?') : text, params),
    as: (work, accountId) => {
      const actor = testActor(accountId);
      return context.runAs(actor, () => work(actor));
    },
    close,
  };
}
