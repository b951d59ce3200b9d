import { randomBytes } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ACCESS_DIRECTORY, ACCESS_ENTITIES, AccessModule, AccessService } from '@custos/access';
import { AUDIT_ENTITIES, AuditModule } from '@custos/audit';
import { CoreModule, RequestContext, TransactionHost, newId, type Actor } from '@custos/core';
import { FixedClock, startTestModule, type DatabaseKind } from '@custos/core/testing';
import { IdentityAccessDirectory } from '../access/identity-access-directory';
import { AccountService } from '../accounts/account.service';
import { IDENTITY_ENTITIES, IdentityModule } from '../identity.module';
import { InvitationService } from '../users/invitation.service';
import { Membership } from '../users/membership.entity';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import { UserService } from '../users/user.service';

/**
 * `@custos/identity` with its neighbours (core, audit, access) booted on a real database, no HTTP:
 * for the lib's integration specs and for consumers' tests of code that needs people.
 */
export interface IdentityTestApp {
  readonly kind: DatabaseKind;
  readonly module: TestingModule;
  readonly transactions: TransactionHost;
  readonly context: RequestContext;
  readonly dataSource: DataSource;
  readonly clock: FixedClock;
  close(): Promise<void>;
}

/** An account made by {@link createTestAccount}, and its founder, an active super admin. */
export interface TestAccount {
  readonly accountId: string;
  readonly founder: Actor & { readonly userId: string };
}

/** A member added by {@link addTestMember}: invited by the founder, then accepted. */
export interface TestMember {
  readonly membership: Membership;
  readonly actor: Actor & { readonly userId: string };
}

export async function createIdentityTestApp(kind: DatabaseKind): Promise<IdentityTestApp> {
  const clock = new FixedClock();
  const { module: app, close } = await startTestModule(kind, (connection) => ({
    imports: [
      CoreModule.forRoot({
        isGlobal: true,
        clock,
        verifyRoutePolicies: false,
        privilegeResolver: AccessService,
      }),
      TypeOrmModule.forRoot({
        ...connection,
        entities: [...AUDIT_ENTITIES, ...ACCESS_ENTITIES, ...IDENTITY_ENTITIES],
        synchronize: true,
      }),
      AuditModule.forRoot({ signingKey: randomBytes(32) }),
      AccessModule.forRoot({}),
      IdentityModule.forRoot({ tokenSigningKey: randomBytes(32) }),
    ],
    providers: [{ provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory }],
  }));
  return {
    kind,
    module: app,
    transactions: app.get(TransactionHost),
    context: app.get(RequestContext),
    dataSource: app.get(DataSource),
    clock,
    close,
  };
}

/** A new account whose founder (a new login without password) is its only super admin. */
export async function createTestAccount(
  app: IdentityTestApp,
  name = 'Test account',
): Promise<TestAccount> {
  const accounts = app.module.get(AccountService);
  return app.transactions.run(async (manager) => {
    const now = app.clock.now();
    const founder = manager.create(User, {
      id: newId(),
      email: `founder-${newId()}@example.com`,
      displayName: 'Founder',
      passwordHash: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(User, founder);
    const account = await accounts.createAccount(manager, name, founder);
    const actor = userActor(founder, { accountId: account.id, superAdmin: true });
    return { accountId: account.id, founder: { ...actor, userId: founder.id } };
  });
}

/**
 * A new person in the account: invited by its founder through `UserService` and accepted as
 * signing in would, so the membership is active.
 */
export async function addTestMember(
  app: IdentityTestApp,
  account: TestAccount,
  options: { superAdmin?: boolean } = {},
): Promise<TestMember> {
  const email = `member-${newId()}@example.com`;
  const invited = await app.context.runAs(account.founder, () =>
    app.module.get(UserService).create({
      email,
      displayName: 'Member',
      superAdmin: options.superAdmin ?? false,
    }),
  );
  const manager = app.dataSource.manager;
  const login = await manager.findOneByOrFail(User, { email });
  const invitation = await manager.findOneByOrFail(Membership, {
    accountId: account.accountId,
    userId: invited.id,
  });
  const membership = await app.module.get(InvitationService).accept(login, invitation);
  return { membership, actor: { ...userActor(login, membership), userId: login.id } };
}
