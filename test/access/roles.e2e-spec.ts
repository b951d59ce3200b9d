import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem } from '../support/api';
import { USER_PASSWORD } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  callerOf,
  expectStatus,
  Setup,
  unique,
  type Caller,
  type RoleView,
} from './access-support';

const READ_TEAM = { objectType: 'contacts', action: 'read', level: 'team' };
const READ_OWN = { objectType: 'contacts', action: 'read', level: 'own' };
const READ_ACCOUNT = { objectType: 'contacts', action: 'read', level: 'account' };

describe.each(testDatabaseKinds())('roles and assignments on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let setup: Setup;
  let admin: Caller;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
  });

  afterAll(async () => {
    await server?.close();
  });

  const getRole = async (id: string): Promise<RoleView> =>
    expectStatus(await admin.get(`/api/v1/roles/${id}`), 200).body as RoleView;

  describe('CRUD', () => {
    it('creates, reads, lists, changes and deletes a role', async () => {
      const name = unique('Sales rep');
      const created = expectStatus(
        await admin.post('/api/v1/roles', {
          name,
          description: 'Reads the team, edits own',
          privileges: [READ_TEAM, { objectType: 'contacts', action: 'update', level: 'own' }],
          taskPrivileges: ['export'],
        }),
        201,
      ).body as RoleView;
      expect(created).toMatchObject({
        name,
        description: 'Reads the team, edits own',
        privileges: [READ_TEAM, { objectType: 'contacts', action: 'update', level: 'own' }],
        taskPrivileges: ['export'],
      });
      expect(await getRole(created.id)).toMatchObject({ id: created.id, name });

      const listed = expectStatus(await admin.get('/api/v1/roles', { limit: 100 }), 200).body as {
        results: RoleView[];
      };
      expect(listed.results.map((r) => r.id)).toContain(created.id);

      const changed = expectStatus(
        await admin.patch(`/api/v1/roles/${created.id}`, {
          name: `${name} (renamed)`,
          privileges: [READ_ACCOUNT],
        }),
        200,
      ).body as RoleView;
      expect(changed).toMatchObject({
        name: `${name} (renamed)`,
        description: 'Reads the team, edits own',
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['export'],
      });
      expect(await getRole(created.id)).toMatchObject(changed);

      expectStatus(await admin.delete(`/api/v1/roles/${created.id}`), 204);
      expectProblem(await admin.get(`/api/v1/roles/${created.id}`), 404, {
        code: 'access.role_not_found',
      });
      expectProblem(await admin.delete(`/api/v1/roles/${created.id}`), 404);
    });

    it('refuses an unknown object type with 422 naming it', async () => {
      const response = await admin.post('/api/v1/roles', {
        name: unique('role'),
        privileges: [READ_TEAM, { objectType: 'unicorns', action: 'read', level: 'own' }],
        taskPrivileges: [],
      });
      expectProblem(response, 422, {
        code: 'access.unknown_subject',
        field: 'privileges[1].objectType',
      });
    });

    it('refuses the same (object type, action) twice with 422 naming the second', async () => {
      const response = await admin.post('/api/v1/roles', {
        name: unique('role'),
        privileges: [READ_TEAM, { ...READ_TEAM, level: 'own' }],
        taskPrivileges: [],
      });
      expectProblem(response, 422, { code: 'access.duplicate_privilege', field: 'privileges[1]' });
    });

    it('refuses unknown actions, levels and task privileges with 422', async () => {
      for (const body of [
        { privileges: [{ ...READ_TEAM, action: 'fly' }], taskPrivileges: [] },
        { privileges: [{ ...READ_TEAM, level: 'galaxy' }], taskPrivileges: [] },
        { privileges: [], taskPrivileges: ['rule_the_world'] },
      ]) {
        expect((await admin.post('/api/v1/roles', { name: unique('role'), ...body })).status).toBe(
          422,
        );
      }
    });

    it('refuses a duplicate name with 409, on create and on rename', async () => {
      const name = unique('Unique name');
      const first = await setup.role({ name });
      expectProblem(
        await admin.post('/api/v1/roles', { name, privileges: [], taskPrivileges: [] }),
        409,
        { code: 'access.duplicate_role', field: 'name' },
      );
      const second = await setup.role({});
      expectProblem(await admin.patch(`/api/v1/roles/${second.id}`, { name }), 409, {
        code: 'access.duplicate_role',
      });
      expect((await getRole(second.id)).name).toBe(second.name);
      expect((await getRole(first.id)).name).toBe(name);
    });

    it('refuses a patch of privileges with the same validation', async () => {
      const role = await setup.role({ privileges: [READ_TEAM] });
      expectProblem(
        await admin.patch(`/api/v1/roles/${role.id}`, {
          privileges: [{ objectType: 'unicorns', action: 'read', level: 'own' }],
        }),
        422,
        { field: 'privileges[0].objectType' },
      );
      expect((await getRole(role.id)).privileges).toEqual([READ_TEAM]);
    });
  });

  describe('assignments', () => {
    it('gives a user the role, lists it, refuses it twice and takes it away', async () => {
      const user = await setup.user();
      const caller = callerOf(server, user.token);
      const contact = await setup.contact();
      const role = await setup.role({ privileges: [READ_ACCOUNT] });
      expect((await caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);

      const assignmentId = await setup.assign(role.id, 'user', user.id);
      expect((await caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(200);
      const listed = expectStatus(await admin.get(`/api/v1/roles/${role.id}/assignments`), 200)
        .body as { results: unknown[] };
      expect(listed.results).toEqual([
        { id: assignmentId, roleId: role.id, principalType: 'user', principalId: user.id },
      ]);
      expectProblem(
        await admin.post(`/api/v1/roles/${role.id}/assignments`, {
          principalType: 'user',
          principalId: user.id,
        }),
        409,
        { code: 'access.already_assigned' },
      );

      expectStatus(await admin.delete(`/api/v1/roles/${role.id}/assignments/${assignmentId}`), 204);
      expect((await caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);
      expectProblem(
        await admin.delete(`/api/v1/roles/${role.id}/assignments/${assignmentId}`),
        404,
      );
    });

    it('refuses unknown users and teams with 422 naming principalId', async () => {
      const role = await setup.role({});
      for (const principalType of ['user', 'team']) {
        expectProblem(
          await admin.post(`/api/v1/roles/${role.id}/assignments`, {
            principalType,
            principalId: UNKNOWN_ID,
          }),
          422,
          { code: 'access.unknown_principal', field: 'principalId' },
        );
      }
      expect(
        (
          await admin.post(`/api/v1/roles/${UNKNOWN_ID}/assignments`, {
            principalType: 'user',
            principalId: UNKNOWN_ID,
          })
        ).status,
      ).toBe(404);
    });

    it("gives a team's members the role, and removing one from the team takes it on the next request", async () => {
      const team = await setup.team();
      const inside = await setup.user({ teamIds: [team] });
      const leaving = await setup.user({ teamIds: [team] });
      const outside = await setup.user();
      const contact = await setup.contact();
      const role = await setup.role({ privileges: [READ_ACCOUNT] });
      await setup.assign(role.id, 'team', team);
      const read = (token: string) =>
        callerOf(server, token).get(`/api/v1/objects/contacts/${contact.id}`);

      expect((await read(inside.token)).status).toBe(200);
      expect((await read(leaving.token)).status).toBe(200);
      expect((await read(outside.token)).status).toBe(404);

      await setup.removeFromTeam(team, leaving.id);
      expect((await read(leaving.token)).status).toBe(404);
      expect((await read(inside.token)).status).toBe(200);

      await setup.addToTeam(team, [outside.id]);
      expect((await read(outside.token)).status).toBe(200);
    });

    it('unions the roles a user holds directly and through teams', async () => {
      const team = await setup.team();
      const user = await setup.user({ teamIds: [team] });
      const caller = callerOf(server, user.token);
      const viaTeam = await setup.role({ privileges: [READ_ACCOUNT] });
      const direct = await setup.role({ taskPrivileges: ['view_audit_log'] });
      await setup.assign(viaTeam.id, 'team', team);
      await setup.assign(direct.id, 'user', user.id);
      const contact = await setup.contact();
      expect((await caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(200);
      expect((await caller.get('/api/v1/audit-log', { limit: 1 })).status).toBe(200);
      expect(
        (
          await caller.patch(`/api/v1/objects/contacts/${contact.id}`, {
            properties: { firstname: 'No' },
          })
        ).status,
      ).toBe(403);
    });

    it('deletes the assignments and record rules of a deleted role', async () => {
      const user = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      await setup.rule({ roleId: user.roleId, condition: { country: 'DE' } });
      const contact = await setup.contact({ country: 'FR' });
      expect((await user.caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);
      expectStatus(await admin.delete(`/api/v1/roles/${user.roleId}`), 204);
      const rules = expectStatus(await admin.get('/api/v1/record-rules'), 200).body as {
        results: { roleId: string | null }[];
      };
      expect(rules.results.map((r) => r.roleId)).not.toContain(user.roleId);
      expect((await user.caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);
      const me = expectStatus(await user.caller.get('/api/v1/me/permissions'), 200).body as {
        rules: unknown[];
      };
      expect(me.rules).toEqual([]);
    });
  });

  describe('grant ceiling', () => {
    let manager: Awaited<ReturnType<Setup['userWithRole']>>;

    beforeAll(async () => {
      manager = await setup.userWithRole({
        privileges: [READ_TEAM],
        taskPrivileges: ['manage_roles'],
      });
    });

    it('lets a role manager grant what they hold over the same records, at a narrower level', async () => {
      const created = await setup.role(
        { privileges: [READ_OWN], taskPrivileges: ['manage_roles'] },
        manager.caller,
      );
      const helper = await setup.user();
      // A team mate's own records are among the manager's team records.
      await setup.addToTeam(await setup.team(), [manager.id, helper.id]);
      await setup.assign(created.id, 'user', helper.id, manager.caller);
      expect((await callerOf(server, helper.token).get('/api/v1/roles', { limit: 1 })).status).toBe(
        200,
      );
    });

    it('refuses a level name the manager holds when it reaches other records (effective access, not level names)', async () => {
      const created = await setup.role(
        { privileges: [READ_OWN], taskPrivileges: [] },
        manager.caller,
      );
      const stranger = await setup.user();
      const response = await manager.caller.post(`/api/v1/roles/${created.id}/assignments`, {
        principalType: 'user',
        principalId: stranger.id,
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'principalId' });
      expect(response.body.gains).toEqual([
        { userId: stranger.id, kind: 'records', action: 'read', objectType: 'contacts' },
      ]);
    });

    it('refuses a task privilege the role manager does not hold with 403 naming it', async () => {
      const name = unique('exporter');
      const response = await manager.caller.post('/api/v1/roles', {
        name,
        privileges: [],
        taskPrivileges: ['export'],
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'taskPrivileges[0]' });
      expect(await roleNamed(name)).toBeUndefined();
    });

    it('refuses a wider level than held with 403 naming the privilege', async () => {
      const name = unique('reader');
      const response = await manager.caller.post('/api/v1/roles', {
        name,
        privileges: [READ_ACCOUNT],
        taskPrivileges: [],
      });
      expectProblem(response, 403, { code: 'access.grant_ceiling', field: 'privileges[0]' });
      expectProblem(
        await manager.caller.post('/api/v1/roles', {
          name,
          privileges: [READ_OWN, { objectType: 'contacts', action: 'delete', level: 'own' }],
          taskPrivileges: [],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'privileges[1]' },
      );
      expect(await roleNamed(name)).toBeUndefined();
    });

    it('refuses to widen an existing role beyond what the manager holds', async () => {
      const role = await setup.role({ privileges: [READ_OWN] });
      expectProblem(
        await manager.caller.patch(`/api/v1/roles/${role.id}`, {
          privileges: [READ_ACCOUNT],
          taskPrivileges: ['export'],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'privileges[0]' },
      );
      expect(await getRole(role.id)).toMatchObject({ privileges: [READ_OWN], taskPrivileges: [] });
    });

    it('refuses to assign a role granting more than the manager holds, assigning nothing', async () => {
      const wide = await setup.role({ privileges: [READ_ACCOUNT] });
      const exporter = await setup.role({ taskPrivileges: ['export'] });
      const target = await setup.user();
      expectProblem(
        await manager.caller.post(`/api/v1/roles/${wide.id}/assignments`, {
          principalType: 'user',
          principalId: target.id,
        }),
        403,
        { code: 'access.grant_ceiling', field: 'privileges[0]' },
      );
      expectProblem(
        await manager.caller.post(`/api/v1/roles/${exporter.id}/assignments`, {
          principalType: 'user',
          principalId: manager.id,
        }),
        403,
        { code: 'access.grant_ceiling', field: 'taskPrivileges[0]' },
      );
      for (const role of [wide, exporter]) {
        const listed = expectStatus(await admin.get(`/api/v1/roles/${role.id}/assignments`), 200)
          .body as { results: unknown[] };
        expect(listed.results).toEqual([]);
      }
    });

    it('does not count a grant narrowed by a record rule as held in full', async () => {
      // A partner-like manager reads every contact, but only those in DE: granting "read at
      // account" without that rule would hand out (and let them take) more than they hold.
      const narrowed = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_roles'],
      });
      await setup.rule({ roleId: narrowed.roleId, condition: { country: 'DE' } });
      const name = unique('escape');
      expectProblem(
        await narrowed.caller.post('/api/v1/roles', {
          name,
          privileges: [READ_ACCOUNT],
          taskPrivileges: [],
        }),
        403,
        { code: 'access.grant_ceiling', field: 'privileges[0]' },
      );
      expect(await roleNamed(name)).toBeUndefined();
      // Task privileges are not narrowed by record rules.
      await setup.role({ taskPrivileges: ['manage_roles'] }, narrowed.caller);
    });

    async function roleNamed(name: string): Promise<RoleView | undefined> {
      const listed = expectStatus(await admin.get('/api/v1/roles', { limit: 100 }), 200).body as {
        results: RoleView[];
        paging: { next?: unknown };
      };
      expect(listed.paging.next).toBeUndefined();
      return listed.results.find((r) => r.name === name);
    }
  });

  describe('self-lockout', () => {
    it("refuses (409) to remove manage_roles from the manager's own only role, changing nothing", async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_TEAM],
        taskPrivileges: ['manage_roles', 'view_audit_log'],
      });
      const before = await getRole(manager.roleId);
      const response = await manager.caller.patch(`/api/v1/roles/${manager.roleId}`, {
        name: unique('renamed'),
        taskPrivileges: ['view_audit_log'],
      });
      expectProblem(response, 409, { code: 'access.self_lockout' });
      expect(await getRole(manager.roleId)).toEqual(before);
      expect(
        await auditEvents(server, adminToken, { action: 'role.updated', targetId: manager.roleId }),
      ).toEqual([]);
      // Still a role manager.
      expect((await manager.caller.get('/api/v1/roles', { limit: 1 })).status).toBe(200);
    });

    it('refuses deleting that role or its assignment to themselves', async () => {
      const manager = await setup.userWithRole({ taskPrivileges: ['manage_roles'] });
      expectProblem(await manager.caller.delete(`/api/v1/roles/${manager.roleId}`), 409, {
        code: 'access.self_lockout',
      });
      const assignments = expectStatus(
        await admin.get(`/api/v1/roles/${manager.roleId}/assignments`),
        200,
      ).body as { results: { id: string }[] };
      expect(assignments.results).toHaveLength(1);
      expectProblem(
        await manager.caller.delete(
          `/api/v1/roles/${manager.roleId}/assignments/${assignments.results[0].id}`,
        ),
        409,
        { code: 'access.self_lockout' },
      );
      expect(
        (
          expectStatus(await admin.get(`/api/v1/roles/${manager.roleId}/assignments`), 200)
            .body as {
            results: unknown[];
          }
        ).results,
      ).toHaveLength(1);
      expect((await getRole(manager.roleId)).taskPrivileges).toEqual(['manage_roles']);
    });

    it('allows the change when another role still gives manage_roles', async () => {
      const manager = await setup.userWithRole({ taskPrivileges: ['manage_roles'] });
      const backup = await setup.role({ taskPrivileges: ['manage_roles'] });
      await setup.assign(backup.id, 'user', manager.id);
      expectStatus(
        await manager.caller.patch(`/api/v1/roles/${manager.roleId}`, { taskPrivileges: [] }),
        200,
      );
      expect((await manager.caller.get('/api/v1/roles', { limit: 1 })).status).toBe(200);
    });
  });

  describe('audit', () => {
    it('records every role and assignment change with before and after', async () => {
      const role = await setup.role({ privileges: [READ_OWN], taskPrivileges: ['export'] });
      const user = await setup.user();
      const assignmentId = await setup.assign(role.id, 'user', user.id);
      expectStatus(await admin.patch(`/api/v1/roles/${role.id}`, { privileges: [READ_TEAM] }), 200);
      expectStatus(await admin.delete(`/api/v1/roles/${role.id}/assignments/${assignmentId}`), 204);
      expectStatus(await admin.delete(`/api/v1/roles/${role.id}`), 204);

      const events = await auditEvents(server, adminToken, { targetId: role.id });
      const byAction = new Map(events.map((e) => [e.action, e]));
      expect([...byAction.keys()].sort()).toEqual([
        'role.assigned',
        'role.created',
        'role.deleted',
        'role.unassigned',
        'role.updated',
      ]);
      expect(byAction.get('role.created')!.metadata).toMatchObject({
        after: { name: role.name, privileges: [READ_OWN], taskPrivileges: ['export'] },
      });
      expect(byAction.get('role.updated')!.metadata).toMatchObject({
        before: { privileges: [READ_OWN] },
        after: { privileges: [READ_TEAM], taskPrivileges: ['export'] },
      });
      expect(byAction.get('role.assigned')!.metadata).toEqual({
        after: { principalType: 'user', principalId: user.id },
      });
      expect(byAction.get('role.unassigned')!.metadata).toEqual({
        before: { principalType: 'user', principalId: user.id },
      });
      expect(byAction.get('role.deleted')!.metadata).toMatchObject({
        before: { name: role.name, privileges: [READ_TEAM] },
      });
      expect(byAction.get('role.updated')!.actor).toMatchObject({ kind: 'user' });
    });
  });

  describe('no stale cache: the very next request sees', () => {
    it('a role change (widened, then narrowed)', async () => {
      const mate = await setup.user();
      const user = await setup.userWithRole({ privileges: [READ_OWN] });
      const theirs = await setup.contact({ owner_id: mate.id });
      const read = () => user.caller.get(`/api/v1/objects/contacts/${theirs.id}`);
      expect((await read()).status).toBe(404);
      expectStatus(
        await admin.patch(`/api/v1/roles/${user.roleId}`, { privileges: [READ_ACCOUNT] }),
        200,
      );
      expect((await read()).status).toBe(200);
      expectStatus(
        await admin.patch(`/api/v1/roles/${user.roleId}`, { privileges: [READ_OWN] }),
        200,
      );
      expect((await read()).status).toBe(404);
    });

    it('an assignment and its removal, to a user and to a team', async () => {
      const team = await setup.team();
      const user = await setup.user({ teamIds: [team] });
      const caller = callerOf(server, user.token);
      const role = await setup.role({ taskPrivileges: ['view_audit_log'] });
      const audit = () => caller.get('/api/v1/audit-log', { limit: 1 });
      expect((await audit()).status).toBe(403);
      const direct = await setup.assign(role.id, 'user', user.id);
      expect((await audit()).status).toBe(200);
      expectStatus(await admin.delete(`/api/v1/roles/${role.id}/assignments/${direct}`), 204);
      expect((await audit()).status).toBe(403);
      const viaTeam = await setup.assign(role.id, 'team', team);
      expect((await audit()).status).toBe(200);
      expectStatus(await admin.delete(`/api/v1/roles/${role.id}/assignments/${viaTeam}`), 204);
      expect((await audit()).status).toBe(403);
    });

    it("a team membership change (team mates' records come and go)", async () => {
      const team = await setup.team();
      const lead = await setup.userWithRole({ privileges: [READ_TEAM] }, { teamIds: [team] });
      const mate = await setup.user();
      const contact = await setup.contact({ owner_id: mate.id });
      const read = () => lead.caller.get(`/api/v1/objects/contacts/${contact.id}`);
      expect((await read()).status).toBe(404);
      await setup.addToTeam(team, [mate.id]);
      expect((await read()).status).toBe(200);
      await setup.removeFromTeam(team, mate.id);
      expect((await read()).status).toBe(404);
    });

    it('a business-unit move', async () => {
      const east = await setup.businessUnit();
      const west = await setup.businessUnit();
      const eastOwner = await setup.user({ businessUnitId: east });
      const westOwner = await setup.user({ businessUnitId: west });
      const manager = await setup.userWithRole(
        { privileges: [{ objectType: 'contacts', action: 'read', level: 'business_unit' }] },
        { businessUnitId: east },
      );
      const eastern = await setup.contact({ owner_id: eastOwner.id });
      const western = await setup.contact({ owner_id: westOwner.id });
      const read = (id: string) => manager.caller.get(`/api/v1/objects/contacts/${id}`);
      expect((await read(eastern.id)).status).toBe(200);
      expect((await read(western.id)).status).toBe(404);
      expectStatus(await admin.patch(`/api/v1/users/${manager.id}`, { businessUnitId: west }), 200);
      expect((await read(western.id)).status).toBe(200);
      expect((await read(eastern.id)).status).toBe(404);
    });

    it('a new child business unit under a business_unit_tree manager', async () => {
      const top = await setup.businessUnit();
      const manager = await setup.userWithRole(
        { privileges: [{ objectType: 'contacts', action: 'read', level: 'business_unit_tree' }] },
        { businessUnitId: top },
      );
      const owner = await setup.user();
      const contact = await setup.contact({ owner_id: owner.id });
      const read = () => manager.caller.get(`/api/v1/objects/contacts/${contact.id}`);
      expect((await read()).status).toBe(404);
      // The owner moves into a unit below the manager's: records made afterwards are in it.
      const child = await setup.businessUnit(unique('child'), top);
      expectStatus(await admin.patch(`/api/v1/users/${owner.id}`, { businessUnitId: child }), 200);
      const later = await setup.contact({ owner_id: owner.id });
      expect((await manager.caller.get(`/api/v1/objects/contacts/${later.id}`)).status).toBe(200);
    });

    it('a demotion from super admin', async () => {
      const user = await setup.user({ superAdmin: true });
      const caller = callerOf(server, user.token);
      const contact = await setup.contact();
      expect((await caller.get('/api/v1/roles', { limit: 1 })).status).toBe(200);
      expect((await caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(200);
      expectStatus(await admin.patch(`/api/v1/users/${user.id}`, { superAdmin: false }), 200);
      // Revoking super admin ends the tokens issued before; the next sign-in sees the demotion.
      expect((await caller.get('/api/v1/roles', { limit: 1 })).status).toBe(401);
      const demoted = callerOf(server, await server.login(user.email, USER_PASSWORD));
      expect((await demoted.get('/api/v1/roles', { limit: 1 })).status).toBe(403);
      expect((await demoted.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(404);
      const permissions = expectStatus(await demoted.get('/api/v1/me/permissions'), 200).body as {
        superAdmin: boolean;
        rules: unknown[];
      };
      expect(permissions).toMatchObject({ superAdmin: false, rules: [] });
    });

    it('a deactivation', async () => {
      const user = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const contact = await setup.contact();
      expect((await user.caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(200);
      expectStatus(await admin.patch(`/api/v1/users/${user.id}`, { status: 'deactivated' }), 200);
      expect((await user.caller.get(`/api/v1/objects/contacts/${contact.id}`)).status).toBe(401);
    });
  });
});
