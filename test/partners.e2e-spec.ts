import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { Membership, PartnerAccessTerm } from '@custos/identity';
import { partnerRoleName } from '@custos/partners';
import { auditEvents, expectProblem } from './support/api';
import { newUser, uniqueEmail, type CreatedUser } from './support/factories';
import { partnerWorld, type PartnerWorld } from './support/partners';
import { startTestServer, type TestServer } from './support/test-server';
import {
  callerOf,
  createProperty,
  createRecord,
  expectStatus,
  uniqueName,
  type Caller,
} from './crm/crm-support';

const DAY_MS = 86_400_000;

interface ShownNotification {
  kind: string;
  partnerAccess?: {
    customerAccountId: string;
    employeeUserId: string;
    change: string;
  };
}

async function firmInbox(world: PartnerWorld): Promise<ShownNotification[]> {
  const firm = await world.as(world.firmAdmin, world.homeAccountId);
  return expectStatus(await firm.get('/api/v1/me/notifications', { limit: 100 }), 200).body
    .results as ShownNotification[];
}

/**
 * Issue 16, partner admins, over HTTP through the real server: firms, seats, access links through
 * the approval engine, the partner-admin set and its ceiling (the attacks of a partner admin),
 * direct creation, ending a relationship and multi-account management; time-bound access with a
 * clock of its own below. Migration and its race are in `partners-migration.e2e-spec.ts`. Each
 * `describe` builds its own firm and customer, so any order works.
 */
describe.each(testDatabaseKinds())('partner admins on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });

  afterAll(async () => {
    await server.close();
  });

  describe('firms and employees', () => {
    let world: PartnerWorld;

    beforeAll(async () => {
      world = await partnerWorld(server);
    });

    it('lists the employees to the firm admin; refuses a second firm, a second firm per user and a non-member', async () => {
      const firm = await world.as(world.firmAdmin, world.homeAccountId);
      const mine = expectStatus(await firm.get('/api/v1/partner/firm'), 200).body;
      expect(mine.employees).toHaveLength(3);
      expectProblem(await firm.post('/api/v1/partner/firm', { name: 'Again' }), 409, {
        code: 'partners.firm_exists',
      });
      expectProblem(
        await firm.post('/api/v1/partner/firm/employees', { userId: world.employees[0].id }),
        409,
        { code: 'partners.already_employee', field: 'userId' },
      );
      const outsider = await newUser(
        server,
        await server.login(undefined, undefined, server.accountId),
      );
      expectProblem(
        await firm.post('/api/v1/partner/firm/employees', { userId: outsider.id }),
        422,
        { code: 'partners.not_a_home_member', field: 'userId' },
      );
    });

    it('lets no employee who is not a firm admin add or remove employees, nor see the others', async () => {
      const [one, two] = world.employees;
      const plain = await world.as(one, world.homeAccountId);
      expectProblem(await plain.post('/api/v1/partner/firm/employees', { userId: two.id }), 403, {
        code: 'partners.firm_admin_required',
      });
      expectProblem(await plain.delete(`/api/v1/partner/firm/employees/${two.id}`), 403);
      const own = expectStatus(await plain.get('/api/v1/partner/firm'), 200).body;
      expect(own.employees).toEqual([{ userId: one.id, firmAdmin: false }]);
    });
  });

  describe('access links and seats', () => {
    let world: PartnerWorld;

    beforeAll(async () => {
      world = await partnerWorld(server);
    });

    it('refuses without a free seat (409), then adds the employee as partner admin, notifies the firm, and is idempotent', async () => {
      const [employee] = world.employees;
      const customer = await world.customer();
      const link = await world.linkOf(employee);
      const inspected = expectStatus(
        await customer.post('/api/v1/partner-links/inspect', { link }),
        200,
      ).body;
      expect(inspected).toMatchObject({
        employee: { userId: employee.id, email: employee.email },
        alreadyPartnerAdmin: false,
      });
      expectProblem(await customer.post('/api/v1/partner-links/approve', { link }), 409, {
        code: 'partners.no_free_seat',
      });

      await world.setSeats(2);
      const approved = expectStatus(
        await customer.post('/api/v1/partner-links/approve', { link }),
        200,
      ).body;
      expect(approved.approval).toMatchObject({
        kind: 'partner_link',
        state: 'approved',
        requesterUserId: employee.id,
      });
      const again = expectStatus(
        await customer.post('/api/v1/partner-links/approve', { link }),
        200,
      ).body;
      expect(again).toMatchObject({ alreadyPartnerAdmin: true, approval: null });
      expect(expectStatus(await customer.get('/api/v1/partner-seats'), 200).body).toMatchObject({
        seats: 2,
        used: 1,
      });

      const partner = await world.as(employee, world.customerAccountId);
      const me = expectStatus(await partner.get('/api/v1/me'), 200).body;
      expect(me).toMatchObject({ actor: { kind: 'partner_admin' }, superAdmin: false });
      expect(me.privileges).toEqual(expect.arrayContaining(['manage_users', 'manage_roles']));
      expect(me.privileges).not.toContain('manage_partner_access');
      expect(me.privileges).not.toContain('manage_sensitive_data');

      expect(await firmInbox(world)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'partner_access_changed',
            partnerAccess: expect.objectContaining({
              customerAccountId: world.customerAccountId,
              employeeUserId: employee.id,
              change: 'link_approved',
            }),
          }),
        ]),
      );
      const customerToken = await server.login(undefined, undefined, world.customerAccountId);
      const added = await auditEvents(server, customerToken, { action: 'partner_admin.added' });
      expect(added[0]).toMatchObject({ targetId: employee.id, metadata: { via: 'access_link' } });
    });

    it('refuses a link naming another employee (404), a regenerated one, and that of a former employee', async () => {
      const [one, two] = world.employees;
      const customer = await world.customer();
      const link = await world.linkOf(two);
      const tampered = link.replace(two.id, one.id);
      expectProblem(await customer.post('/api/v1/partner-links/inspect', { link: tampered }), 404, {
        code: 'partners.link_not_valid',
      });
      const renewed = expectStatus(
        await (await world.as(two, world.homeAccountId)).post('/api/v1/partner/link'),
        200,
      ).body.link as string;
      expect(renewed).not.toEqual(link);
      expectProblem(await customer.post('/api/v1/partner-links/approve', { link }), 404, {
        code: 'partners.link_not_valid',
      });
      expectStatus(await customer.post('/api/v1/partner-links/inspect', { link: renewed }), 200);

      const leaver = await world.hire();
      const leaverLink = await world.linkOf(leaver);
      const firm = await world.as(world.firmAdmin, world.homeAccountId);
      expectStatus(await firm.delete(`/api/v1/partner/firm/employees/${leaver.id}`), 204);
      expectProblem(
        await customer.post('/api/v1/partner-links/approve', { link: leaverLink }),
        404,
        { code: 'partners.link_not_valid' },
      );
      // Added again (generation 0 again): the link of the former employment stays dead.
      expectStatus(await firm.post('/api/v1/partner/firm/employees', { userId: leaver.id }), 201);
      expectProblem(
        await customer.post('/api/v1/partner-links/inspect', { link: leaverLink }),
        404,
        { code: 'partners.link_not_valid' },
      );
      expectStatus(
        await customer.post('/api/v1/partner-links/inspect', { link: await world.linkOf(leaver) }),
        200,
      );
    });

    it('approves a link in several of the approver’s accounts at once: one result each', async () => {
      const world = await partnerWorld(server, 1);
      const [employee] = world.employees;
      const secondId = await world.newAccount('Also a customer');
      await world.setSeats(1);
      await world.setSeats(1, secondId);
      const unknown = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';
      const results = expectStatus(
        await (
          await world.customer()
        ).post('/api/v1/partner-links/approve-many', {
          link: await world.linkOf(employee),
          accountIds: [world.customerAccountId, secondId, unknown],
          accessDays: 30,
        }),
        200,
      ).body as { accountId: string; status: number; code: string | null }[];
      expect(results).toEqual([
        expect.objectContaining({ accountId: world.customerAccountId, status: 200 }),
        expect.objectContaining({ accountId: secondId, status: 200 }),
        expect.objectContaining({
          accountId: unknown,
          status: 404,
          code: 'partners.account_not_found',
        }),
      ]);
      for (const accountId of [world.customerAccountId, secondId]) {
        const me = expectStatus(
          await (await world.as(employee, accountId)).get('/api/v1/me'),
          200,
        ).body;
        expect(me).toMatchObject({ account: { id: accountId }, actor: { kind: 'partner_admin' } });
      }
    });

    it('lets a user manager approve only within what they may grant (403 grant ceiling, nothing admitted)', async () => {
      const world = await partnerWorld(server, 1);
      const [employee] = world.employees;
      await world.setSeats(2);
      const customer = await world.customer();
      const managerRole = expectStatus(
        await customer.post('/api/v1/roles', {
          name: uniqueName('user manager'),
          privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
          taskPrivileges: ['manage_users'],
        }),
        201,
      ).body;
      const manager = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
      );
      expectStatus(
        await customer.post(`/api/v1/roles/${managerRole.id as string}/assignments`, {
          principalType: 'user',
          principalId: manager.id,
        }),
        201,
      );
      const asManager = callerOf(server, manager.token);
      const link = await world.linkOf(employee);
      // An approver may open the link (the check is on what the approval would grant)…
      expectStatus(await asManager.post('/api/v1/partner-links/inspect', { link }), 200);
      // …but the partner-admin set holds far more than this manager: refused, in both routes.
      expectProblem(await asManager.post('/api/v1/partner-links/approve', { link }), 403, {
        code: 'access.grant_ceiling',
      });
      const many = expectStatus(
        await asManager.post('/api/v1/partner-links/approve-many', {
          link,
          accountIds: [world.customerAccountId],
        }),
        200,
      ).body as { accountId: string; status: number; code?: string }[];
      expect(many).toEqual([
        expect.objectContaining({
          accountId: world.customerAccountId,
          status: 403,
          code: 'access.grant_ceiling',
        }),
      ]);
      // Nothing was admitted: no seat taken, no partner admin, no sign-in, no event.
      expect(expectStatus(await customer.get('/api/v1/partner-seats'), 200).body).toMatchObject({
        used: 0,
      });
      const admins = expectStatus(await customer.get('/api/v1/partner-admins'), 200).body as {
        userId: string;
      }[];
      expect(admins.map((a) => a.userId)).not.toContain(employee.id);
      await expect(world.tokenOf(employee, world.customerAccountId)).rejects.toThrow();
      const customerToken = await server.login(undefined, undefined, world.customerAccountId);
      const added = await auditEvents(server, customerToken, { action: 'partner_admin.added' });
      expect(added.map((e) => e.targetId)).not.toContain(employee.id);
      // The customer's super admin can still approve the same link.
      await world.admit(employee);
      expect(expectStatus(await customer.get('/api/v1/partner-seats'), 200).body).toMatchObject({
        used: 1,
      });
    });

    it('lets only approvers in person approve: a plain member and a partner admin get 403', async () => {
      const world = await partnerWorld(server, 1);
      const [two] = world.employees;
      const approverless = await world.hire();
      const link = await world.linkOf(approverless);
      const member = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
      );
      expectProblem(
        await callerOf(server, member.token).post('/api/v1/partner-links/approve', { link }),
        403,
        { code: 'partners.link_approver_required' },
      );
      await world.setSeats(5);
      await world.admit(two);
      const partner = await world.as(two, world.customerAccountId);
      expectProblem(await partner.post('/api/v1/partner-links/approve', { link }), 403, {
        code: 'partners.link_approver_required',
      });
    });
  });

  describe('what a partner admin cannot do (the ceiling)', () => {
    let world: PartnerWorld;
    let employee: CreatedUser;
    let customer: Caller;
    let ownRoleId: string;
    let ownRole: { privileges: object[]; taskPrivileges: string[] };

    const partner = () => world.as(employee, world.customerAccountId);

    beforeAll(async () => {
      world = await partnerWorld(server, 1);
      [employee] = world.employees;
      await world.setSeats(1);
      await world.admit(employee);
      customer = await world.customer();
      const roles = expectStatus(await customer.get('/api/v1/roles', { limit: 100 }), 200).body
        .results as { id: string; name: string }[];
      ownRoleId = roles.find((r) => r.name === partnerRoleName(employee.id))!.id;
      const role = expectStatus(await customer.get(`/api/v1/roles/${ownRoleId}`), 200).body;
      ownRole = { privileges: role.privileges, taskPrivileges: role.taskPrivileges };
    });

    afterEach(async () => {
      // Tests that narrow or widen the partner's role put it back.
      expectStatus(
        await (await world.customer()).patch(`/api/v1/roles/${ownRoleId}`, ownRole),
        200,
      );
    });

    it('never counts as a super admin, even with the flag set behind the API’s back', async () => {
      const admin = expectStatus(await customer.get('/api/v1/me'), 200).body;
      const repository = server.dataSource.getRepository(Membership);
      await repository.update(
        { accountId: world.customerAccountId, userId: employee.id },
        { superAdmin: true },
      );
      try {
        expectProblem(
          await customer.patch(`/api/v1/users/${admin.user.id}`, { superAdmin: false }),
          409,
          { code: 'identity.last_super_admin' },
        );
        const as = await partner();
        const me = expectStatus(await as.get('/api/v1/me'), 200).body;
        expect(me).toMatchObject({ actor: { kind: 'partner_admin' }, superAdmin: false });
        expectProblem(await as.put('/api/v1/partner-seats/partner').send({ seats: 9 }), 403);
        // SCIM provisioning tokens are a super admin's in person: a token would outlive the
        // partner access and write users with the account's full provisioning rights.
        expectProblem(await as.post('/api/v1/scim-tokens', { name: 'partner idp' }), 403);
        expectProblem(await as.get('/api/v1/scim-tokens'), 403);
        const tokens = expectStatus(await customer.get('/api/v1/scim-tokens'), 200).body
          .results as { name: string }[];
        expect(tokens.map((token) => token.name)).not.toContain('partner idp');
      } finally {
        await repository.update(
          { accountId: world.customerAccountId, userId: employee.id },
          { superAdmin: false },
        );
      }
    });

    it('never sees a sensitive value, nor enables sensitive data, nor defines a sensitive property', async () => {
      const as = await partner();
      const enable = {
        categories: ['government_identifiers'],
        acceptTerms: true,
      };
      expectProblem(await as.post('/api/v1/settings/sensitive-data/enable', enable), 403);
      expectStatus(await customer.post('/api/v1/settings/sensitive-data/enable', enable), 200);
      const secret = uniqueName('passport');
      await createProperty(customer, 'contacts', {
        name: secret,
        label: secret,
        type: 'string',
        sensitivity: { highlySensitive: false },
      });
      const record = await createRecord(customer, 'contacts', {
        email: 'canary@partners.test',
        [secret]: 'CANARY-P4SSPORT',
      });
      const seen = expectStatus(
        await as.get(`/api/v1/objects/contacts/${record.id}`, { properties: `email,${secret}` }),
        200,
      );
      expect(JSON.stringify(seen.body)).not.toContain('CANARY-P4SSPORT');
      expect(seen.body.properties.email).toBe('canary@partners.test');
      const other = uniqueName('health');
      const defined = await as.post('/api/v1/properties/contacts', {
        name: other,
        label: other,
        type: 'string',
        sensitivity: { highlySensitive: false },
      });
      expect(defined.status).toBe(403);
    });

    it('holds no withheld privilege even when a super admin puts it in their role', async () => {
      expectStatus(
        await customer.patch(`/api/v1/roles/${ownRoleId}`, {
          taskPrivileges: [
            ...ownRole.taskPrivileges,
            'manage_partner_access',
            'manage_sensitive_data',
          ],
        }),
        200,
      );
      const as = await partner();
      expectProblem(await as.get('/api/v1/partner-seats'), 403, {
        code: 'core.privilege_required',
      });
      expectProblem(await as.delete(`/api/v1/partner-admins/${employee.id}`), 403);
      const me = expectStatus(await as.get('/api/v1/me'), 200).body;
      expect(me.privileges).not.toContain('manage_partner_access');
    });

    it('cannot edit their own permissions: their role, or another role for themselves', async () => {
      const as = await partner();
      expectProblem(
        await as.patch(`/api/v1/roles/${ownRoleId}`, {
          taskPrivileges: ownRole.taskPrivileges.filter((p) => p !== 'export'),
        }),
        403,
        { code: 'access.own_permissions' },
      );
      const extra = expectStatus(
        await as.post('/api/v1/roles', {
          name: uniqueName('helper'),
          privileges: [],
          taskPrivileges: ['view_audit_log'],
        }),
        201,
      ).body;
      expectProblem(
        await as.post(`/api/v1/roles/${extra.id}/assignments`, {
          principalType: 'user',
          principalId: employee.id,
        }),
        403,
        { code: 'access.own_permissions' },
      );
    });

    it('cannot give a teammate more than they hold, and can give them what they hold', async () => {
      const narrowed = (ownRole.privileges as { objectType: string; action: string }[]).filter(
        (p) => !(p.objectType === 'contacts' && p.action === 'delete'),
      );
      expectStatus(
        await customer.patch(`/api/v1/roles/${ownRoleId}`, { privileges: narrowed }),
        200,
      );
      const as = await partner();
      expectProblem(
        await as.post('/api/v1/roles', {
          name: uniqueName('more'),
          privileges: [{ objectType: 'contacts', action: 'delete', level: 'account' }],
          taskPrivileges: [],
        }),
        403,
        { code: 'access.grant_ceiling' },
      );
      expectProblem(
        await as.post('/api/v1/roles', {
          name: uniqueName('withheld'),
          privileges: [],
          taskPrivileges: ['manage_partner_access'],
        }),
        403,
        { code: 'access.grant_ceiling' },
      );
      const within = expectStatus(
        await as.post('/api/v1/roles', {
          name: uniqueName('reader'),
          privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
          taskPrivileges: [],
        }),
        201,
      ).body;
      const teammate = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
      );
      expectStatus(
        await as.post(`/api/v1/roles/${within.id}/assignments`, {
          principalType: 'user',
          principalId: teammate.id,
        }),
        201,
      );
    });

    it('acts as a person: owns what they create, renames themself, sees their unit', async () => {
      const as = await partner();
      const created = await createRecord(as, 'contacts', { email: uniqueEmail('owned') });
      const read = expectStatus(
        await as.get(`/api/v1/objects/contacts/${created.id}`, { properties: 'owner_id' }),
        200,
      ).body;
      expect(read.properties.owner_id).toBe(employee.id);
      const renamed = expectStatus(
        await as.patch('/api/v1/me', { displayName: 'Ada (partner)' }),
        200,
      ).body;
      expect(renamed).toMatchObject({
        user: { id: employee.id, displayName: 'Ada (partner)' },
        businessUnit: { id: expect.any(String) },
      });
    });

    it('cannot make API keys', async () => {
      expectProblem(
        await (
          await partner()
        ).post('/api/v1/api-keys', { name: 'mine', scopes: ['manage_users'] }),
        403,
      );
    });
  });

  describe('super admins, out of a partner admin’s reach', () => {
    it('cannot make, create, deactivate or remove a super admin', async () => {
      // A world of its own: the second super admin made here must not meet other tests.
      const world = await partnerWorld(server, 1);
      const [employee] = world.employees;
      await world.setSeats(1);
      await world.admit(employee);
      const customer = await world.customer();
      const as = await world.as(employee, world.customerAccountId);
      const target = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
      );
      expectProblem(await as.patch(`/api/v1/users/${target.id}`, { superAdmin: true }), 403, {
        code: 'identity.super_admin_required',
      });
      expectProblem(
        await as.post('/api/v1/users', {
          email: uniqueEmail(),
          displayName: 'New admin',
          superAdmin: true,
        }),
        403,
        { code: 'identity.super_admin_required' },
      );
      expectProblem(await as.patch(`/api/v1/users/${employee.id}`, { superAdmin: true }), 403);
      const second = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
        { superAdmin: true },
      );
      expectProblem(await as.patch(`/api/v1/users/${second.id}`, { status: 'deactivated' }), 403, {
        code: 'identity.super_admin_required',
        field: 'status',
      });
      expectProblem(await as.delete(`/api/v1/users/${second.id}`), 403, {
        code: 'identity.super_admin_required',
      });
      expect(
        expectStatus(await customer.get(`/api/v1/users/${second.id}`), 200).body,
      ).toMatchObject({ superAdmin: true, status: 'active' });
    });
  });

  describe('direct creation with the partner_admin template', () => {
    let world: PartnerWorld;

    beforeAll(async () => {
      world = await partnerWorld(server, 1);
    });

    it('offers it only for partner employees with a free seat (422 naming why)', async () => {
      const [one] = world.employees;
      const customer = await world.customer();
      const create = (email: string, template: string) =>
        customer.post('/api/v1/users', { email, displayName: 'Partner', template });
      expectProblem(await create(uniqueEmail('stranger'), 'partner_admin'), 422, {
        code: 'partners.not_partner_employee',
        field: 'email',
      });
      expectProblem(await create(one.email, 'owner'), 422, {
        code: 'identity.unknown_template',
        field: 'template',
      });
      expectProblem(await create(one.email, 'partner_admin'), 422, {
        code: 'partners.no_free_seat',
        field: 'template',
      });
      await world.setSeats(1);
      const created = expectStatus(await create(one.email, 'partner_admin'), 201).body;
      expect(created).toMatchObject({ id: one.id, status: 'active' });
      const me = expectStatus(
        await (await world.as(one, world.customerAccountId)).get('/api/v1/me'),
        200,
      ).body;
      expect(me.actor.kind).toBe('partner_admin');
      expectProblem(await customer.put('/api/v1/partner-seats/partner').send({ seats: 0 }), 409, {
        code: 'partners.seats_in_use',
      });
    });

    it('lets a partner admin add only their own firm’s employees, never beyond their own access', async () => {
      const world = await partnerWorld(server, 1);
      const [two] = world.employees;
      const other = await partnerWorld(server, 1);
      await world.setSeats(4);
      await world.admit(two);
      const as = await world.as(two, world.customerAccountId);
      expectProblem(
        await as.post('/api/v1/users', {
          email: other.employees[0].email,
          displayName: 'Other firm',
          template: 'partner_admin',
        }),
        422,
        { code: 'partners.other_firm', field: 'email' },
      );
      const member = await newUser(
        server,
        await server.login(undefined, undefined, world.customerAccountId),
      );
      const managerRole = expectStatus(
        await (
          await world.customer()
        ).post('/api/v1/roles', {
          name: uniqueName('user manager'),
          privileges: [],
          taskPrivileges: ['manage_users'],
        }),
        201,
      ).body;
      expectStatus(
        await (
          await world.customer()
        ).post(`/api/v1/roles/${managerRole.id}/assignments`, {
          principalType: 'user',
          principalId: member.id,
        }),
        201,
      );
      const newcomer = await world.hire();
      expectProblem(
        await (
          await world.as(member, world.customerAccountId)
        ).post('/api/v1/users', {
          email: newcomer.email,
          displayName: 'Newcomer',
          template: 'partner_admin',
        }),
        403,
        { code: 'access.grant_ceiling' },
      );
    });
  });

  describe('the end of a relationship', () => {
    it('lets the customer end it: membership gone, seat free, audited, firm told', async () => {
      const world = await partnerWorld(server, 1);
      const [employee] = world.employees;
      await world.setSeats(1);
      await world.admit(employee);
      const partnerToken = await world.tokenOf(employee, world.customerAccountId);
      const customer = await world.customer();
      expectStatus(await customer.delete(`/api/v1/partner-admins/${employee.id}`), 204);
      expectProblem(await callerOf(server, partnerToken).get('/api/v1/me'), 401);
      expect(expectStatus(await customer.get('/api/v1/partner-seats'), 200).body.used).toBe(0);
      expectProblem(await customer.delete(`/api/v1/partner-admins/${employee.id}`), 404);
      const customerToken = await server.login(undefined, undefined, world.customerAccountId);
      const ended = await auditEvents(server, customerToken, { action: 'partner_admin.ended' });
      expect(ended[0]).toMatchObject({
        targetId: employee.id,
        metadata: { reason: 'ended_by_customer' },
      });
      expect(
        (await firmInbox(world)).some(
          (n) =>
            n.partnerAccess?.change === 'ended_by_customer' &&
            n.partnerAccess.employeeUserId === employee.id,
        ),
      ).toBe(true);
    });

    it('ends every customer access of an employee the firm removes', async () => {
      const world = await partnerWorld(server, 1);
      const [employee] = world.employees;
      await world.setSeats(1);
      await world.admit(employee);
      const partnerToken = await world.tokenOf(employee, world.customerAccountId);
      const firm = await world.as(world.firmAdmin, world.homeAccountId);
      expectStatus(await firm.delete(`/api/v1/partner/firm/employees/${employee.id}`), 204);
      expectProblem(await callerOf(server, partnerToken).get('/api/v1/me'), 401);
      const customer = await world.customer();
      expect(expectStatus(await customer.get('/api/v1/partner-admins'), 200).body).toEqual([]);
    });
  });

  describe('several accounts', () => {
    let world: PartnerWorld;
    let secondId: string;

    beforeAll(async () => {
      world = await partnerWorld(server, 2);
      secondId = await world.newAccount('Second customer');
      await world.setSeats(3);
      await world.setSeats(3, secondId);
      await world.admit(world.employees[0]);
      await world.admit(world.employees[0], {}, secondId);
    });

    it('lists the accounts, switches with a token of the chosen one, refuses others (404)', async () => {
      const [employee] = world.employees;
      const home = await world.as(employee, world.homeAccountId);
      const accounts = expectStatus(await home.get('/api/v1/partner/accounts'), 200).body as {
        accountId: string;
      }[];
      expect(accounts.map((a) => a.accountId).sort()).toEqual(
        [world.customerAccountId, secondId].sort(),
      );
      const switched = expectStatus(
        await home.post(`/api/v1/partner/accounts/${secondId}/token`),
        200,
      ).body;
      const me = expectStatus(
        await callerOf(server, switched.accessToken as string).get('/api/v1/me'),
        200,
      ).body;
      expect(me).toMatchObject({ account: { id: secondId }, actor: { kind: 'partner_admin' } });
      expectProblem(await home.post(`/api/v1/partner/accounts/${world.homeAccountId}/token`), 404);
    });

    it('never lets the bulk action give a teammate more than the partner admin holds there', async () => {
      const world = await partnerWorld(server, 2);
      const [employee, teammate] = world.employees;
      await world.setSeats(3);
      await world.admit(employee);
      const customer = await world.customer();
      const roles = expectStatus(await customer.get('/api/v1/roles', { limit: 100 }), 200).body
        .results as {
        id: string;
        name: string;
        privileges: { objectType: string; action: string }[];
      }[];
      const own = roles.find((r) => r.name === partnerRoleName(employee.id))!;
      expectStatus(
        await customer.patch(`/api/v1/roles/${own.id}`, {
          privileges: own.privileges.filter(
            (p) => !(p.objectType === 'deals' && p.action === 'delete'),
          ),
        }),
        200,
      );
      const wider = uniqueName('Deal cleaner');
      expectStatus(
        await customer.post('/api/v1/roles', {
          name: wider,
          privileges: [{ objectType: 'deals', action: 'delete', level: 'account' }],
          taskPrivileges: [],
        }),
        201,
      );
      const home = await world.as(employee, world.homeAccountId);
      const [result] = expectStatus(
        await home.post('/api/v1/partner/accounts/bulk/employees', {
          accountIds: [world.customerAccountId],
          userId: teammate.id,
          roleName: wider,
        }),
        200,
      ).body as { status: number; code: string }[];
      expect(result).toMatchObject({ status: 403, code: 'access.grant_ceiling' });
      const added = await server.dataSource
        .getRepository(Membership)
        .countBy({ accountId: world.customerAccountId, userId: teammate.id });
      expect(added).toBe(0);
    });

    it('lets only those who may add users there use the bulk action: not a narrow-role employee, not a trimmed partner admin', async () => {
      const world = await partnerWorld(server, 3);
      const [employee, narrow, third] = world.employees;
      await world.setSeats(3);
      await world.admit(employee);
      const customer = await world.customer();
      const roleName = uniqueName('Reader');
      expectStatus(
        await customer.post('/api/v1/roles', {
          name: roleName,
          privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
          taskPrivileges: [],
        }),
        201,
      );
      const bulk = async (by: CreatedUser, userId: string) =>
        (
          expectStatus(
            await (
              await world.as(by, world.homeAccountId)
            ).post('/api/v1/partner/accounts/bulk/employees', {
              accountIds: [world.customerAccountId],
              userId,
              roleName,
            }),
            200,
          ).body as { status: number; code: string | null }[]
        )[0];
      expect(await bulk(employee, narrow.id)).toMatchObject({ status: 200 });
      // The narrow-role employee holds no `manage_users` there: they add nobody.
      expect(await bulk(narrow, third.id)).toMatchObject({
        status: 403,
        code: 'partners.privilege_required',
      });
      // Nor does the partner admin once the customer takes `manage_users` out of their set.
      const roles = expectStatus(await customer.get('/api/v1/roles', { limit: 100 }), 200).body
        .results as { id: string; name: string; taskPrivileges: string[] }[];
      const own = roles.find((r) => r.name === partnerRoleName(employee.id))!;
      expectStatus(
        await customer.patch(`/api/v1/roles/${own.id}`, {
          taskPrivileges: own.taskPrivileges.filter((p) => p !== 'manage_users'),
        }),
        200,
      );
      expect(await bulk(employee, third.id)).toMatchObject({
        status: 403,
        code: 'partners.privilege_required',
      });
      const added = await server.dataSource
        .getRepository(Membership)
        .countBy({ accountId: world.customerAccountId, userId: third.id });
      expect(added).toBe(0);
    });

    it('adds a firm employee with a role to several accounts: per-account results, all or nothing each', async () => {
      const [employee, newcomer] = world.employees;
      const roleName = uniqueName('Sales rep');
      expectStatus(
        await (
          await world.customer()
        ).post('/api/v1/roles', {
          name: roleName,
          privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
          taskPrivileges: [],
        }),
        201,
      );
      const home = await world.as(employee, world.homeAccountId);
      const results = expectStatus(
        await home.post('/api/v1/partner/accounts/bulk/employees', {
          accountIds: [world.customerAccountId, secondId, world.homeAccountId],
          userId: newcomer.id,
          roleName,
        }),
        200,
      ).body as { accountId: string; status: number; code: string | null }[];
      expect(results).toEqual([
        expect.objectContaining({ accountId: world.customerAccountId, status: 200 }),
        expect.objectContaining({
          accountId: secondId,
          status: 422,
          code: 'partners.unknown_role',
        }),
        expect.objectContaining({ accountId: world.homeAccountId, status: 404 }),
      ]);
      const inSecond = await server.dataSource
        .getRepository(Membership)
        .countBy({ accountId: secondId, userId: newcomer.id });
      expect(inSecond).toBe(0);
      const me = expectStatus(
        await (await world.as(newcomer, world.customerAccountId)).get('/api/v1/me'),
        200,
      ).body;
      expect(me.actor.kind).toBe('partner_admin');
      expect(me.privileges).toEqual([]);
    });
  });
});

describe.each(testDatabaseKinds())('time-bound partner access on %s', (kind) => {
  const clock = new FixedClock(new Date());
  let server: TestServer;

  beforeAll(async () => {
    // The tests sweep themselves (`expireDue`): the scheduled sweep, due at once when the clock
    // moves by days, could end an access between the move and a sign-in the test makes after it.
    server = await startTestServer(kind, { clock, env: { CUSTOS_PARTNER_EXPIRY_SECONDS: '0' } });
  });

  afterAll(async () => {
    await server.close();
  });

  it('shows an expired partner admin as not active before anything marks them; the sweep ends them once and tells the firm', async () => {
    const world = await partnerWorld(server, 1);
    const [employee] = world.employees;
    await world.setSeats(1);
    await world.admit(employee, { accessDays: 2 });
    const statusOf = async () => {
      // A fresh token: the clock moves by days.
      const customer = await world.customer();
      const admins = expectStatus(await customer.get('/api/v1/partner-admins'), 200).body as {
        userId: string;
        status: string;
      }[];
      const user = expectStatus(await customer.get(`/api/v1/users/${employee.id}`), 200).body;
      return [admins.find((a) => a.userId === employee.id)?.status, user.status];
    };
    expect(await statusOf()).toEqual(['active', 'active']);
    const token = await world.tokenOf(employee, world.customerAccountId);

    const accountsOf = async () =>
      (
        expectStatus(
          await (await world.as(employee, world.homeAccountId)).get('/api/v1/partner/accounts'),
          200,
        ).body as { accountId: string }[]
      ).map((a) => a.accountId);
    expect(await accountsOf()).toEqual([world.customerAccountId]);

    clock.advance(2 * DAY_MS + 60_000);
    // Past its end, no request of theirs yet: the listings already say so — the partner's own
    // list of accounts too (no customer name for an access that is over).
    expect(await statusOf()).toEqual(['deactivated', 'deactivated']);
    expect(await accountsOf()).toEqual([]);
    // The sweep (scheduled; run here at once) ends it, as would their next request.
    await server.app.get(PartnerAccessTerm).expireDue();
    await server.app.get(PartnerAccessTerm).expireDue();
    expect((await callerOf(server, token).get('/api/v1/me')).status).toBe(401);
    expect(await statusOf()).toEqual(['deactivated', 'deactivated']);
    const customerToken = await server.login(undefined, undefined, world.customerAccountId);
    const ends = await auditEvents(server, customerToken, { action: 'partner_access.expired' });
    expect(ends.filter((e) => e.targetId === employee.id)).toHaveLength(1);
    const told = (await firmInbox(world)).filter(
      (n) =>
        n.partnerAccess?.change === 'expired' &&
        n.partnerAccess.employeeUserId === employee.id &&
        n.partnerAccess.customerAccountId === world.customerAccountId,
    );
    expect(told).toHaveLength(1);
  });

  it('ends at the first request after its end, audited once; auto-extension extends it; a new approval brings it back', async () => {
    const world = await partnerWorld(server, 2);
    const [temporary, extended] = world.employees;
    await world.setSeats(2);
    const customer = await world.customer();
    for (const accessDays of [0, 731]) {
      expectProblem(
        await customer.post('/api/v1/partner-links/approve', {
          link: await world.linkOf(temporary),
          accessDays,
        }),
        422,
        { field: 'accessDays' },
      );
    }
    await world.admit(temporary, { accessDays: 1 });
    await world.admit(extended, { accessDays: 1, autoExtend: true });

    clock.advance(DAY_MS + 60_000);
    const temporaryToken = await world.tokenOf(temporary, world.customerAccountId);
    const extendedToken = await world.tokenOf(extended, world.customerAccountId);
    const refused = await Promise.all([
      callerOf(server, temporaryToken).get('/api/v1/me'),
      callerOf(server, temporaryToken).get('/api/v1/me'),
      callerOf(server, extendedToken).get('/api/v1/me'),
    ]);
    expect(refused.map((r) => r.status)).toEqual([401, 401, 200]);
    const customerToken = await server.login(undefined, undefined, world.customerAccountId);
    const ends = await auditEvents(server, customerToken, { action: 'partner_access.' });
    expect(ends.map((e) => [e.action, e.targetId]).sort()).toEqual(
      [
        ['partner_access.expired', temporary.id],
        ['partner_access.extended', extended.id],
      ].sort(),
    );
    // The firm hears of the end (not of the extension), once.
    const told = (await firmInbox(world)).filter((n) => n.partnerAccess?.change === 'expired');
    expect(told.map((n) => n.partnerAccess?.employeeUserId)).toEqual([temporary.id]);
    const admins = expectStatus(
      await callerOf(server, customerToken).get('/api/v1/partner-admins'),
      200,
    ).body as { userId: string; status: string; accessExpiresAt: string }[];
    expect(admins.find((a) => a.userId === temporary.id)?.status).toBe('deactivated');
    expect(
      new Date(admins.find((a) => a.userId === extended.id)!.accessExpiresAt).getTime(),
    ).toBeGreaterThan(clock.now().getTime());

    await world.admit(temporary, { accessDays: 30 });
    const back = await world.as(temporary, world.customerAccountId);
    expect(expectStatus(await back.get('/api/v1/me'), 200).body.actor.kind).toBe('partner_admin');
  });
});
