import { IsNull, Not } from 'typeorm';
import { testDatabaseKinds } from '@custos/core/testing';
import { AccessTokenService, BusinessUnit, Membership, User } from '@custos/identity';
import { PartnerSeat } from '@custos/partners';
import { newId } from '@custos/core';
import { auditEvents, expectProblem } from './support/api';
import { newUser, type CreatedUser } from './support/factories';
import { partnerWorld, type PartnerWorld } from './support/partners';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';
import { callerOf, expectStatus } from './crm/crm-support';

/** Concurrent rounds of the last two super admins migrating at once (issue 16: at least 200). */
const STORM_ROUNDS = 200;
/** Rounds raced at the same time (each in its own account). */
const PARALLEL_ROUNDS = 5;

/** Makes an employee a super admin of the world's customer account (an accepted invitation). */
async function superAdminOf(world: PartnerWorld, user: CreatedUser, accountId: string) {
  const customer = await world.customer(accountId);
  expectStatus(
    await customer.post('/api/v1/users', {
      email: user.email,
      displayName: 'Partner',
      superAdmin: true,
    }),
    201,
  );
  return world.as(user, accountId);
}

/**
 * Issue 16, migration: a super admin who is a partner employee becomes a partner admin, by
 * themself from the partner side or by the customer, never leaving the account without a super
 * admin — the same invariant and lock as a demotion.
 */
describe.each(testDatabaseKinds())('migration to partner admin on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });

  afterAll(async () => {
    await server.close();
  });

  it('lets a super admin who is a partner employee migrate themself: tokens end, partner admin from then on, audited', async () => {
    const world = await partnerWorld(server, 1);
    const [employee] = world.employees;
    await world.setSeats(1);
    const asSuperAdmin = await superAdminOf(world, employee, world.customerAccountId);
    const migrated = expectStatus(await asSuperAdmin.post('/api/v1/partner/migrate'), 200).body;
    expect(migrated).toMatchObject({ userId: employee.id, status: 'active' });
    expectProblem(await asSuperAdmin.get('/api/v1/me'), 401);
    const me = expectStatus(
      await (await world.as(employee, world.customerAccountId)).get('/api/v1/me'),
      200,
    ).body;
    expect(me).toMatchObject({ actor: { kind: 'partner_admin' }, superAdmin: false });
    const token = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, world.customerAccountId);
    const events = await auditEvents(server, token, { targetId: employee.id });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['partner_admin.migrated', 'user.super_admin_revoked']),
    );
    expect(
      (await auditEvents(server, token, { action: 'partner_admin.migrated' }))[0].metadata,
    ).toMatchObject({ self: true });
  });

  it('lets the customer migrate one; refuses a non-employee (422), a non-super-admin and the last super admin (409), and without a seat (409)', async () => {
    const world = await partnerWorld(server, 2);
    const [one, two] = world.employees;
    const customer = await world.customer();
    await superAdminOf(world, one, world.customerAccountId);
    expectProblem(await customer.post(`/api/v1/partner-admins/${one.id}/migrate`), 409, {
      code: 'partners.no_free_seat',
    });
    await world.setSeats(2);
    expectStatus(await customer.post(`/api/v1/partner-admins/${one.id}/migrate`), 200);
    expectProblem(await customer.post(`/api/v1/partner-admins/${one.id}/migrate`), 409, {
      code: 'partners.not_a_super_admin',
    });

    const plain = await newUser(
      server,
      await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, world.customerAccountId),
      { superAdmin: true },
    );
    expectProblem(await customer.post(`/api/v1/partner-admins/${plain.id}/migrate`), 422, {
      code: 'partners.not_partner_employee',
      field: 'userId',
    });

    // An account whose only super admin is a partner employee: they cannot leave it without one.
    const alone = await world.newAccount('Alone');
    await world.setSeats(1, alone);
    const asTwo = await superAdminOf(world, two, alone);
    const adminId = expectStatus(await (await world.customer(alone)).get('/api/v1/me'), 200).body
      .user.id as string;
    expectStatus(await asTwo.patch(`/api/v1/users/${adminId}`, { superAdmin: false }), 200);
    expectProblem(await asTwo.post('/api/v1/partner/migrate'), 409, {
      code: 'identity.last_super_admin',
    });
  });

  it('refuses the partner side to anyone but a super admin in person (a partner admin included)', async () => {
    const world = await partnerWorld(server, 1);
    const [employee] = world.employees;
    await world.setSeats(1);
    await world.admit(employee);
    const partner = await world.as(employee, world.customerAccountId);
    expectProblem(await partner.post('/api/v1/partner/migrate'), 403);
    expectProblem(await partner.post(`/api/v1/partner-admins/${employee.id}/migrate`), 403);
  });
});

/**
 * The race: the last two super admins of an account, both partner employees, migrate at the same
 * moment over HTTP (each themself, or each the other). Exactly one wins; the account keeps one
 * super admin. Seeded through the database and tokens from the server's own issuer, so the
 * rounds measure the race, not argon2.
 */
describe('migration storm on postgres', () => {
  let server: TestServer;
  let world: PartnerWorld;
  let rivals: { id: string; generation: number }[];

  beforeAll(async () => {
    server = await startTestServer('postgres');
    world = await partnerWorld(server, 2);
    const users = server.dataSource.getRepository(User);
    rivals = await Promise.all(
      world.employees.map(async (e) => ({
        id: e.id,
        generation: (await users.findOneByOrFail({ id: e.id })).credentialGeneration,
      })),
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  async function round(index: number): Promise<number[]> {
    const accountId = await world.newAccount(`Storm ${index}`);
    const manager = server.dataSource.manager;
    const root = await manager.findOneByOrFail(BusinessUnit, { accountId, parentId: IsNull() });
    // The founder steps aside: the two partner employees are the account's only super admins.
    await manager.update(Membership, { accountId }, { superAdmin: false });
    const now = new Date();
    const places = rivals.map((r) => ({
      id: newId(),
      accountId,
      userId: r.id,
      superAdmin: true,
      status: 'active' as const,
      invitedLoginId: null,
      invitedDisplayName: null,
      credentialGeneration: 0,
      businessUnitId: root.id,
      partnerFirmId: null,
      partnerAccessExpiresAt: null,
      partnerAccessExtendDays: null,
      createdAt: now,
      updatedAt: now,
    }));
    await manager.insert(Membership, places);
    await manager.insert(PartnerSeat, { accountId, seatType: 'partner', seats: 2, updatedAt: now });
    const tokens = server.app.get(AccessTokenService);
    const callers = await Promise.all(
      rivals.map(async (r, i) =>
        callerOf(
          server,
          await tokens.issue({
            userId: r.id,
            accountId,
            userGeneration: r.generation,
            membership: { id: places[i].id, generation: 0 },
          }),
        ),
      ),
    );
    const crossed = index % 2 === 1;
    const responses = await Promise.all(
      callers.map((caller, i) =>
        crossed
          ? caller.post(`/api/v1/partner-admins/${rivals[1 - i].id}/migrate`)
          : caller.post('/api/v1/partner/migrate'),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    const superAdmins = await manager.countBy(Membership, {
      accountId,
      superAdmin: true,
      status: 'active',
      partnerFirmId: IsNull(),
    });
    const partners = await manager.countBy(Membership, { accountId, partnerFirmId: Not(IsNull()) });
    expect({ superAdmins, partners }).toEqual({ superAdmins: 1, partners: 1 });
    return statuses;
  }

  it(`keeps a super admin when the last two migrate at once (${STORM_ROUNDS} rounds)`, async () => {
    const started = Date.now();
    const outcomes = new Map<string, number>();
    for (let start = 0; start < STORM_ROUNDS; start += PARALLEL_ROUNDS) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(PARALLEL_ROUNDS, STORM_ROUNDS - start) }, (_, i) =>
          round(start + i),
        ),
      );
      for (const statuses of batch) {
        // Exactly one wins. The loser gets 409 when both passed the route's check before either
        // committed, 401 when the winner had committed (the loser lost super admin, and with it
        // its tokens), or 403 when it committed between the loser's sign-in and policy check.
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect([401, 403, 409]).toContain(statuses.find((s) => s !== 200));
        const key = statuses.join('/');
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    console.log(
      `migration storm: ${STORM_ROUNDS} rounds in ${Date.now() - started} ms`,
      Object.fromEntries(outcomes),
    );
    expect(outcomes.get('200/409') ?? 0).toBeGreaterThan(0);
  });
});

/** Seats under concurrent admissions, on PostgreSQL: never more partner admins than seats. */
describe('partner seat races on postgres', () => {
  const ROUNDS = 10;
  const CONTENDERS = 5;
  const SEATS = 2;
  let server: TestServer;
  let world: PartnerWorld;

  beforeAll(async () => {
    server = await startTestServer('postgres');
    world = await partnerWorld(server, CONTENDERS);
  });

  afterAll(async () => {
    await server?.close();
  });

  it(`admits exactly as many as there are seats when ${CONTENDERS} links are approved at once (${ROUNDS} rounds)`, async () => {
    const links = await Promise.all(world.employees.map((e) => world.linkOf(e)));
    for (let round = 0; round < ROUNDS; round += 1) {
      const accountId = await world.newAccount(`Seats ${round}`);
      await world.setSeats(SEATS, accountId);
      const customer = await world.customer(accountId);
      const responses = await Promise.all(
        [...links, links[0]].map((link) =>
          customer.post('/api/v1/partner-links/approve', { link }),
        ),
      );
      const admitted = await server.dataSource
        .getRepository(Membership)
        .countBy({ accountId, partnerFirmId: Not(IsNull()) });
      expect(admitted).toBe(SEATS);
      const refused = responses.filter((r) => r.status === 409);
      expect(refused.every((r) => r.body.code === 'partners.no_free_seat')).toBe(true);
      expect(responses.filter((r) => r.status === 200).length + refused.length).toBe(
        responses.length,
      );
    }
  });
});
