import { testDatabaseKinds } from '@custos/core/testing';
import {
  addTestMember,
  createIdentityTestApp,
  createTestAccount,
  type IdentityTestApp,
  type TestAccount,
} from '@custos/identity/testing';
import { Membership } from '../users/membership.entity';
import { UserService } from '../users/user.service';
import { SuperAdminInvariant } from './super-admin-invariant';

const lastSuperAdmin = { kind: 'conflict', code: 'identity.last_super_admin' };

describe.each(testDatabaseKinds())(`${SuperAdminInvariant.name} on %s`, (kind) => {
  let app: IdentityTestApp;
  let users: UserService;
  let invariant: SuperAdminInvariant;

  beforeAll(async () => {
    app = await createIdentityTestApp(kind);
    users = app.module.get(UserService);
    invariant = app.module.get(SuperAdminInvariant);
  });

  afterAll(async () => app?.close());

  const activeSuperAdmins = async (account: TestAccount) =>
    app.dataSource.manager.countBy(Membership, {
      accountId: account.accountId,
      superAdmin: true,
      status: 'active',
    });

  it('refuses to demote, deactivate or remove the only active super admin', async () => {
    const account = await createTestAccount(app);
    const { founder } = account;
    const as = <T>(work: () => Promise<T>) => app.context.runAs(founder, work);
    await expect(
      as(() => users.update(founder.userId, { superAdmin: false })),
    ).rejects.toMatchObject(lastSuperAdmin);
    await expect(
      as(() => users.update(founder.userId, { status: 'deactivated' })),
    ).rejects.toMatchObject(lastSuperAdmin);
    await expect(as(() => users.remove(founder.userId))).rejects.toMatchObject(lastSuperAdmin);
    expect(await activeSuperAdmins(account)).toBe(1);
  });

  it('does not count an invited or a deactivated super admin as another', async () => {
    const account = await createTestAccount(app);
    const deactivated = await addTestMember(app, account, { superAdmin: true });
    await app.context.runAs(account.founder, async () => {
      await users.update(deactivated.actor.userId, { status: 'deactivated' });
      await users.create({
        email: 'invited@example.com',
        displayName: 'Invited',
        superAdmin: true,
      });
      await expect(
        users.update(account.founder.userId, { superAdmin: false }),
      ).rejects.toMatchObject(lastSuperAdmin);
    });
  });

  it('lets a super admin go while another active one remains', async () => {
    const account = await createTestAccount(app);
    const other = await addTestMember(app, account, { superAdmin: true });
    await app.context.runAs(account.founder, () =>
      users.update(other.actor.userId, { superAdmin: false }),
    );
    expect(await activeSuperAdmins(account)).toBe(1);
  });

  it('asks nothing of members who are not active super admins', async () => {
    const account = await createTestAccount(app);
    const member = await addTestMember(app, account);
    await expect(
      app.transactions.run(() => invariant.assertAnotherRemains(member.membership)),
    ).resolves.toBeUndefined();
  });

  it('refuses to run outside a transaction, where its lock would hold nothing', async () => {
    const account = await createTestAccount(app);
    const membership = await app.dataSource.manager.findOneByOrFail(Membership, {
      accountId: account.accountId,
      userId: account.founder.userId,
    });
    await expect(invariant.assertAnotherRemains(membership)).rejects.toThrow(
      'must run inside a transaction',
    );
  });

  it('of two super admins demoting each other at once, exactly one succeeds', async () => {
    const account = await createTestAccount(app);
    const other = await addTestMember(app, account, { superAdmin: true });
    const results = await Promise.allSettled([
      app.context.runAs(account.founder, () =>
        users.update(other.actor.userId, { superAdmin: false }),
      ),
      app.context.runAs(other.actor, () =>
        users.update(account.founder.userId, { superAdmin: false }),
      ),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: lastSuperAdmin });
    expect(await activeSuperAdmins(account)).toBe(1);
  });

  it('holds for callers of the service alone, with both transactions open before either asks', async () => {
    const account = await createTestAccount(app);
    const other = await addTestMember(app, account, { superAdmin: true });
    const founder = await app.dataSource.manager.findOneByOrFail(Membership, {
      accountId: account.accountId,
      userId: account.founder.userId,
    });
    // On PostgreSQL both transactions are open and have read before either asks (without the
    // lock both would see the other as remaining); SQLite runs transactions one at a time.
    let arrived = 0;
    let release!: () => void;
    const bothOpen = new Promise<void>((resolve) => (release = resolve));
    const demote = (membership: Membership) =>
      app.transactions.run(async (manager) => {
        await manager.findOneByOrFail(Membership, { id: membership.id });
        if (kind === 'postgres') {
          arrived += 1;
          if (arrived === 2) {
            release();
          }
          await bothOpen;
        }
        await invariant.assertAnotherRemains(membership);
        await manager.update(Membership, { id: membership.id }, { superAdmin: false });
      });
    const results = await Promise.allSettled([demote(founder), demote(other.membership)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: lastSuperAdmin });
    expect(await activeSuperAdmins(account)).toBe(1);
  });
});
