import { randomBytes } from 'node:crypto';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  CustosError,
  JOB_ENTITIES,
  MAIL_ENTITIES,
  MailModule,
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
  type TestDatabase,
} from '@custos/core/testing';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CONSENT_CONTACTS, type ConsentContacts } from '../consent-contacts.port';
import { CONSENT_ENTITIES } from '../consent.entities';
import { ConsentModule } from '../consent.module';
import type { ConsentModuleOptions } from '../consent.module-definition';
import { CONSENT_MIGRATIONS } from '../migrations';

/**
 * Contacts kept in memory: `add` one with its address, `hide` it from an actor (404 for them).
 * A stand-in for the host's contacts in tests of the lib.
 */
@Injectable()
export class InMemoryConsentContacts implements ConsentContacts {
  private readonly addresses = new Map<string, string | null>();
  private readonly hidden = new Map<string, Set<string>>();

  constructor(private readonly context: RequestContext) {}

  add(contactId: string, email: string | null = null): void {
    this.addresses.set(contactId, email);
  }

  hide(contactId: string, actorId: string): void {
    this.hidden.set(contactId, new Set([...(this.hidden.get(contactId) ?? []), actorId]));
  }

  requireReadable(contactId: string): Promise<void> {
    const actor = this.context.requireActor();
    if (!this.addresses.has(contactId) || this.hidden.get(contactId)?.has(actor.id)) {
      return Promise.reject(CustosError.notFound('test.contact_not_found', 'The contact'));
    }
    return Promise.resolve();
  }

  addressOf(_accountId: string, contactId: string): Promise<string | null> {
    return Promise.resolve(this.addresses.get(contactId) ?? null);
  }
}

/** The consent lib booted on a real database. */
export interface ConsentTestApp {
  readonly module: TestingModule;
  readonly clock: FixedClock;
  readonly dataSource: DataSource;
  readonly contacts: InMemoryConsentContacts;
  get<T>(type: new (...args: never[]) => T): T;
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Boots core, audit and consent on a fresh database of `kind`, schema from the migrations. */
export async function createConsentTestApp(
  kind: DatabaseKind,
  options: Partial<ConsentModuleOptions> & { clock?: FixedClock; database?: TestDatabase } = {},
): Promise<ConsentTestApp> {
  const { clock = new FixedClock(), database: given, ...consentOptions } = options;
  const database = given ?? (await createTestDatabase(kind));

  @Module({
    providers: [
      InMemoryConsentContacts,
      { provide: CONSENT_CONTACTS, useExisting: InMemoryConsentContacts },
    ],
    exports: [CONSENT_CONTACTS, InMemoryConsentContacts],
  })
  class TestContactsModule {}

  const builder = Test.createTestingModule({
    imports: [
      CoreModule.forRoot({ clock, verifyRoutePolicies: false, jobs: { pollMs: 50 } }),
      TypeOrmModule.forRoot({
        ...connectionOptionsOf(database),
        entities: [
          ...JOB_ENTITIES,
          ...MAIL_ENTITIES,
          ...NOTIFICATION_ENTITIES,
          ...AUDIT_ENTITIES,
          ...CONSENT_ENTITIES,
        ],
        migrations: [
          ...CORE_MIGRATIONS[kind],
          ...AUDIT_MIGRATIONS[kind],
          ...CONSENT_MIGRATIONS[kind],
        ],
        migrationsRun: true,
        ...(kind === 'postgres' ? { extra: { max: 20 } } : {}),
      }),
      MailModule.forRoot({ from: 'crm@example.test' }),
      AuditModule.forRoot({ signingKey: deriveKey(randomBytes(32), 'custos/audit-chain-head') }),
      ConsentModule.forRoot({
        secret: randomBytes(32),
        publicUrl: 'https://crm.example.test/api/v1',
        ...consentOptions,
      }),
      TestContactsModule,
    ],
  });
  let module: TestingModule | undefined;
  try {
    module = await builder.compile();
    await module.init();
  } catch (error) {
    await module?.close();
    await (given ? Promise.resolve() : database.drop());
    throw error;
  }
  const started = module;
  const context = started.get(RequestContext);
  return {
    module: started,
    clock,
    dataSource: started.get(DataSource),
    contacts: started.get(InMemoryConsentContacts),
    get: (type) => started.get(type),
    as: (actor, work) => context.runAs(actor, work),
    close: async () => {
      await started.close();
      await (given ? Promise.resolve() : database.drop());
    },
  };
}
