import { testDatabaseKinds } from '@custos/core/testing';
import { createAccessTestApp, personActor, type AccessTestApp } from '@custos/access/testing';
import { RoleService } from './role.service';

describe.each(testDatabaseKinds())(`${RoleService.name} on %s`, (kind) => {
  let app: AccessTestApp;
  const boss = personActor('acme', 'boss', { superAdmin: true });
  const ann = personActor('acme', 'ann');
  const bob = personActor('acme', 'bob');

  beforeAll(async () => {
    app = await createAccessTestApp(kind);
    app.directory.add('acme', 'boss', { superAdmin: true });
    app.directory.add('acme', 'ann');
    app.directory.add('acme', 'bob');
  });

  afterAll(async () => app?.close());

  const holds = async (actor: typeof ann, privilege: string) =>
    (await app.access.accessFor(actor)).taskPrivileges.has(privilege);

  it('grants a role’s task privileges while it is assigned, and no longer after', async () => {
    await app.context.runAs(boss, async () => {
      const role = await app.roles.create({
        name: 'Role admin',
        privileges: [],
        taskPrivileges: ['manage_roles'],
      });
      const assignment = await app.roles.assign(role.id, {
        principalType: 'user',
        principalId: 'ann',
      });
      expect(await holds(ann, 'manage_roles')).toBe(true);
      await app.roles.unassign(role.id, assignment.id);
      expect(await holds(ann, 'manage_roles')).toBe(false);
    });
  });

  it('refuses to let a member hand out a role granting more than they hold', async () => {
    const admin = await app.context.runAs(boss, async () => {
      const manager = await app.roles.create({
        name: 'Manager',
        privileges: [],
        taskPrivileges: ['manage_roles'],
      });
      await app.roles.assign(manager.id, { principalType: 'user', principalId: 'ann' });
      return app.roles.create({
        name: 'Auditor',
        privileges: [],
        taskPrivileges: ['view_audit_log'],
      });
    });
    await expect(
      app.context.runAs(ann, () =>
        app.roles.assign(admin.id, { principalType: 'user', principalId: 'bob' }),
      ),
    ).rejects.toMatchObject({ kind: 'forbidden' });
    expect(await holds(bob, 'view_audit_log')).toBe(false);
  });
});
