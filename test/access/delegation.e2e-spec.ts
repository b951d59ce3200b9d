import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem } from '../support/api';
import { uniqueEmail } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { Setup, callerOf, expectStatus, type Caller } from './access-support';

const READ_ACCOUNT = { objectType: 'contacts', action: 'read', level: 'account' };
const READ_TEAM = { objectType: 'contacts', action: 'read', level: 'team' };
const READ_UNIT = { objectType: 'contacts', action: 'read', level: 'business_unit' };
const READ_TREE = { objectType: 'contacts', action: 'read', level: 'business_unit_tree' };

/**
 * Issue 10, classes 1–4 and 6: a user holding one delegated privilege tries to widen their own
 * access, or someone else's, through the administration of the model. Each scenario is an attack
 * that worked before the delegation check; every refusal leaves the attacker where they were.
 */
describe.each(testDatabaseKinds())('delegated administration is closed on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;

  beforeAll(async () => {
    server = await startTestServer(kind);
    setup = new Setup(server, await server.login());
  });

  afterAll(async () => {
    await server.close();
  });

  const status = async (caller: Caller, id: string) =>
    (await caller.get(`/api/v1/objects/contacts/${id}`)).status;

  describe('class 1: restrict rules cannot widen', () => {
    it('refuses a second restrict rule OR’ed into a role the author holds', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      await setup.rule({ roleId: manager.roleId, condition: { country: 'DE' } });
      const fr = await setup.contact({ country: 'FR' });
      expect(await status(manager.caller, fr.id)).toBe(404);
      const response = await manager.caller.post('/api/v1/record-rules', {
        name: 'also FR',
        objectType: 'contacts',
        actions: ['read'],
        effect: 'restrict',
        roleId: manager.roleId,
        condition: { country: 'FR' },
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'condition' });
      expect(response.body.gains).toEqual([
        { userId: manager.id, kind: 'records', action: 'read', objectType: 'contacts' },
      ]);
      expect(await status(manager.caller, fr.id)).toBe(404);
    });

    it('still lets the author narrow their own role with a restrict rule', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      expectStatus(
        await manager.caller.post('/api/v1/record-rules', {
          name: 'DE only',
          objectType: 'contacts',
          actions: ['read'],
          effect: 'restrict',
          roleId: manager.roleId,
          condition: { country: 'DE' },
        }),
        201,
      );
    });
  });

  describe('class 2: deny rules that bind the author hold', () => {
    async function deniedManager() {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles', 'manage_teams'],
      });
      const deny = await setup.rule({
        roleId: manager.roleId,
        effect: 'deny',
        condition: { country: 'FR' },
      });
      const fr = await setup.contact({ country: 'FR' });
      expect(await status(manager.caller, fr.id)).toBe(404);
      return { manager, deny, fr };
    }

    it('refuses editing the deny rule', async () => {
      const { manager, deny, fr } = await deniedManager();
      expectProblem(
        await manager.caller.put(`/api/v1/record-rules/${deny}`, {
          name: 'weaker',
          objectType: 'contacts',
          actions: ['read'],
          effect: 'deny',
          roleId: manager.roleId,
          condition: { country: 'XX' },
        }),
        403,
        { code: 'access.grant_ceiling' },
      );
      expect(await status(manager.caller, fr.id)).toBe(404);
    });

    it('refuses deleting the deny rule', async () => {
      const { manager, deny, fr } = await deniedManager();
      expectProblem(await manager.caller.delete(`/api/v1/record-rules/${deny}`), 403, {
        code: 'access.grant_ceiling',
      });
      expect(await status(manager.caller, fr.id)).toBe(404);
    });

    it('refuses deleting the role that carries the deny rule', async () => {
      const { manager, fr } = await deniedManager();
      // The deny rides on a role without privileges, held beside one that reads everything.
      const carrier = await setup.role({});
      await setup.assign(carrier.id, 'user', manager.id);
      const deny = await setup.rule({
        roleId: carrier.id,
        effect: 'deny',
        condition: { country: 'DE' },
      });
      const de = await setup.contact({ country: 'DE' });
      expect(await status(manager.caller, de.id)).toBe(404);
      expectProblem(await manager.caller.delete(`/api/v1/roles/${carrier.id}`), 403, {
        code: 'access.grant_ceiling',
      });
      expect(await status(manager.caller, de.id)).toBe(404);
      expect(await status(manager.caller, fr.id)).toBe(404);
      expectStatus(await setup.admin.get(`/api/v1/record-rules/${deny}`), 200);
    });

    it('refuses leaving the team that holds the deny rule’s role', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_teams'],
      });
      const team = await setup.team();
      await setup.addToTeam(team, [manager.id]);
      const carrier = await setup.role({});
      await setup.assign(carrier.id, 'team', team);
      await setup.rule({ roleId: carrier.id, effect: 'deny', condition: { country: 'IT' } });
      const it = await setup.contact({ country: 'IT' });
      expect(await status(manager.caller, it.id)).toBe(404);
      expectProblem(
        await manager.caller.delete(`/api/v1/teams/${team}/members/${manager.id}`),
        403,
        { code: 'access.grant_ceiling' },
      );
      expect(await status(manager.caller, it.id)).toBe(404);
    });

    it('refuses deleting (or retyping) the property a deny rule tests', async () => {
      const name = `tier_${Date.now().toString(36)}`;
      expectStatus(
        await setup.admin.post('/api/v1/properties/contacts', {
          name,
          label: 'Tier',
          type: 'string',
        }),
        201,
      );
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_properties'],
      });
      await setup.rule({ roleId: manager.roleId, effect: 'deny', condition: { [name]: 'gold' } });
      const gold = await setup.contact({ [name]: 'gold' });
      expectProblem(await manager.caller.delete(`/api/v1/properties/contacts/${name}`), 409, {
        code: 'crm.property_in_rule',
      });
      expectProblem(
        await manager.caller.patch(`/api/v1/properties/contacts/${name}`, { type: 'number' }),
        409,
        { code: 'crm.property_in_rule' },
      );
      expect(await status(manager.caller, gold.id)).toBe(404);
    });

    it('refuses unassigning the role with the deny rule from oneself', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      const carrier = await setup.role({});
      const assignment = await setup.assign(carrier.id, 'user', manager.id);
      await setup.rule({ roleId: carrier.id, effect: 'deny', condition: { country: 'ES' } });
      expectProblem(
        await manager.caller.delete(`/api/v1/roles/${carrier.id}/assignments/${assignment}`),
        403,
        { code: 'access.grant_ceiling' },
      );
    });
  });

  it('serialises changes: two racing deletions, each harmless alone, never both pass', async () => {
    // Two identical deny rules keep FR contacts from a reader; removing one leaves the other.
    const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
    const manager = await setup.userWithRole({
      privileges: [READ_TEAM],
      taskPrivileges: ['manage_roles'],
    });
    const first = await setup.rule({
      roleId: reader.roleId,
      effect: 'deny',
      condition: { country: 'FR' },
    });
    const second = await setup.rule({
      roleId: reader.roleId,
      effect: 'deny',
      condition: { country: 'FR' },
    });
    const fr = await setup.contact({ country: 'FR' });
    const results = await Promise.all(
      [first, second].map((id) => manager.caller.delete(`/api/v1/record-rules/${id}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 403]);
    expect(await status(reader.caller, fr.id)).toBe(404);
  });

  describe('class 3: field allow-lists stay within the ceiling', () => {
    async function hiddenPhone(taskPrivileges: string[]) {
      const manager = await setup.userWithRole({ privileges: [READ_ACCOUNT], taskPrivileges });
      const viewers = await setup.role({});
      const team = await setup.team();
      await setup.fieldPermissions('contacts', 'phone', {
        view: [
          { type: 'role', id: viewers.id },
          { type: 'team', id: team },
        ],
      });
      const contact = await setup.contact({ phone: '+33 1 23 45 67 89' });
      const read = expectStatus(
        await manager.caller.get(`/api/v1/objects/contacts/${contact.id}`),
        200,
      ).body as { properties: Record<string, unknown>; redacted: string[] };
      expect(read.redacted).toContain('phone');
      return { manager, viewers, team, contact };
    }

    it('refuses assigning oneself a role (without privileges) on the view list', async () => {
      const { manager, viewers, contact } = await hiddenPhone(['manage_roles']);
      const response = await manager.caller.post(`/api/v1/roles/${viewers.id}/assignments`, {
        principalType: 'user',
        principalId: manager.id,
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'principalId' });
      expect(response.body.gains).toEqual(
        expect.arrayContaining([
          {
            userId: manager.id,
            kind: 'field',
            access: 'view',
            objectType: 'contacts',
            property: 'phone',
          },
        ]),
      );
      const read = expectStatus(
        await manager.caller.get(`/api/v1/objects/contacts/${contact.id}`),
        200,
      ).body as { redacted: string[] };
      expect(read.redacted).toContain('phone');
    });

    it('refuses joining a team on the view list', async () => {
      const { manager, team } = await hiddenPhone(['manage_teams']);
      expectProblem(
        await manager.caller.post(`/api/v1/teams/${team}/members`, { userIds: [manager.id] }),
        403,
        { code: 'access.grant_ceiling', field: 'userIds' },
      );
    });

    it('refuses opening the property to everyone', async () => {
      const { manager } = await hiddenPhone(['manage_roles']);
      expectProblem(
        await manager.caller.put('/api/v1/properties/contacts/phone/permissions', {
          view: [{ type: 'everyone' }],
          edit: [],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'view' },
      );
    });
  });

  describe('class 4: rules are no oracle on hidden fields', () => {
    it('refuses a rule testing a field the author may not read, naming it', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      await setup.fieldPermissions('contacts', 'jobtitle', { view: [{ type: 'super_admins' }] });
      for (const condition of [{ jobtitle: 'CEO' }, { jobtitle: { $exists: true } }]) {
        expectProblem(
          await manager.caller.post('/api/v1/record-rules', {
            name: 'probe',
            objectType: 'contacts',
            actions: ['read'],
            effect: 'deny',
            roleId: manager.roleId,
            condition,
          }),
          403,
          { code: 'access.hidden_field', field: 'condition.jobtitle' },
        );
      }
    });

    it('shows rules without the values they test on fields the reader may not read', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      await setup.fieldPermissions('contacts', 'city', { view: [{ type: 'super_admins' }] });
      const id = await setup.rule({
        effect: 'deny',
        condition: { $or: [{ city: 'Lyon' }, { country: 'FR' }] },
      });
      const seen = expectStatus(await manager.caller.get(`/api/v1/record-rules/${id}`), 200).body;
      expect(seen.condition).toEqual({ $or: [{ city: { $redacted: true } }, { country: 'FR' }] });
      expect(
        JSON.stringify(await manager.caller.get('/api/v1/record-rules').then((r) => r.body)),
      ).not.toContain('Lyon');
      const asAdmin = expectStatus(await setup.admin.get(`/api/v1/record-rules/${id}`), 200).body;
      expect(asAdmin.condition).toEqual({ $or: [{ city: 'Lyon' }, { country: 'FR' }] });
      await setup.deleteRule(id);
    });
  });

  describe('class 6: record scope does not widen through teams and business units', () => {
    it('refuses a team-level reader putting another team’s record owner in a team of theirs', async () => {
      const owner = await setup.user();
      const theirs = await setup.contact({ owner_id: owner.id });
      const reader = await setup.userWithRole({
        privileges: [READ_TEAM],
        taskPrivileges: ['manage_teams'],
      });
      expect(await status(reader.caller, theirs.id)).toBe(404);
      const team = expectStatus(
        await reader.caller.post('/api/v1/teams', { name: `mine-${Date.now()}` }),
        201,
      ).body as { id: string };
      expectProblem(
        await reader.caller.post(`/api/v1/teams/${team.id}/members`, {
          userIds: [reader.id, owner.id],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'userIds' },
      );
      expect(await status(reader.caller, theirs.id)).toBe(404);
    });

    it('refuses a business-unit-tree reader re-parenting another unit under their own', async () => {
      const mine = await setup.businessUnit();
      const other = await setup.businessUnit();
      const owner = await setup.user({ businessUnitId: other });
      const admin = callerOf(server, setup.adminToken);
      const theirs = expectStatus(
        await admin.post('/api/v1/objects/contacts', {
          properties: { email: uniqueEmail('bu'), owner_id: owner.id },
        }),
        201,
      ).body as { id: string };
      const reader = await setup.userWithRole(
        { privileges: [READ_TREE], taskPrivileges: ['manage_business_units'] },
        { businessUnitId: mine },
      );
      expect(await status(reader.caller, theirs.id)).toBe(404);
      expectProblem(
        await reader.caller.patch(`/api/v1/business-units/${other}`, { parentId: mine }),
        403,
        { code: 'access.grant_ceiling', field: 'parentId' },
      );
      expect(await status(reader.caller, theirs.id)).toBe(404);
    });

    it('refuses a puppet: a user made in another unit and given a unit-level role', async () => {
      const mine = await setup.businessUnit();
      const other = await setup.businessUnit();
      const manager = await setup.userWithRole(
        { privileges: [READ_UNIT], taskPrivileges: ['manage_users', 'manage_roles'] },
        { businessUnitId: mine },
      );
      const email = uniqueEmail('puppet');
      const puppet = expectStatus(
        await manager.caller.post('/api/v1/users', {
          email,
          displayName: 'Puppet',
          password: 'a long enough password',
          businessUnitId: other,
        }),
        201,
      ).body as { id: string };
      // The manager set the password, so they can accept the invitation as the puppet.
      await server.login(email, 'a long enough password', server.accountId);
      // The role's level names what the manager holds; its reach from the other unit does not.
      const role = await setup.role({ privileges: [READ_UNIT] }, manager.caller);
      const response = await manager.caller.post(`/api/v1/roles/${role.id}/assignments`, {
        principalType: 'user',
        principalId: puppet.id,
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'principalId' });
      expect(response.body.gains).toEqual([
        { userId: puppet.id, kind: 'records', action: 'read', objectType: 'contacts' },
      ]);
      expectStatus(await setup.admin.get(`/api/v1/roles/${role.id}/assignments`), 200);
      const assignments = (await setup.admin.get(`/api/v1/roles/${role.id}/assignments`)).body as {
        results: unknown[];
      };
      expect(assignments.results).toEqual([]);
    });

    it('refuses inviting a puppet into a team whose role would reach another unit', async () => {
      const mine = await setup.businessUnit();
      const other = await setup.businessUnit();
      const team = await setup.team();
      const unitReaders = await setup.role({ privileges: [READ_UNIT] });
      await setup.assign(unitReaders.id, 'team', team);
      const manager = await setup.userWithRole(
        { privileges: [READ_UNIT], taskPrivileges: ['manage_users'] },
        { businessUnitId: mine },
      );
      // An invitation takes effect without any further admin change: it is weighed as accepted.
      const email = uniqueEmail('puppet');
      expectProblem(
        await manager.caller.post('/api/v1/users', {
          email,
          displayName: 'Puppet',
          password: 'a long enough password',
          businessUnitId: other,
          teamIds: [team],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'teamIds' },
      );
      expect(await server.login(email, 'a long enough password').catch(() => 'refused')).toBe(
        'refused',
      );
    });

    it('lets a unit-level manager give the same role to someone in their own unit', async () => {
      const mine = await setup.businessUnit();
      const manager = await setup.userWithRole(
        { privileges: [READ_UNIT], taskPrivileges: ['manage_roles'] },
        { businessUnitId: mine },
      );
      const colleague = await setup.user({ businessUnitId: mine });
      const role = await setup.role({ privileges: [READ_UNIT] }, manager.caller);
      await setup.assign(role.id, 'user', colleague.id, manager.caller);
    });
  });
});
