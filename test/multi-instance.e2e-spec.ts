import { testDatabaseKinds } from '@custos/core/testing';
import { Setup, callerOf as accessCallerOf } from './access/access-support';
import { expectProblem } from './support/api';
import { USER_PASSWORD } from './support/factories';
import { startTestServer, type TestServer } from './support/test-server';
import { callerOf, createProperty, expectStatus, uniqueName, type Caller } from './crm/crm-support';

/**
 * Two instances of the server on one database, as behind a load balancer: each caches
 * abilities and property schemas, and must see a change made through the other on its very
 * next request.
 */
describe.each(testDatabaseKinds())('two server instances on one %s database', (kind) => {
  let a: TestServer;
  let b: TestServer;
  let adminOnA: Caller;
  let adminOnB: Caller;

  beforeAll(async () => {
    a = await startTestServer(kind);
    b = await startTestServer(kind, { sameDatabaseAs: a });
    adminOnA = callerOf(a, await a.login());
    adminOnB = callerOf(b, await b.login());
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const propertyNamesOn = async (caller: Caller): Promise<string[]> =>
    (
      expectStatus(await caller.get('/api/v1/properties/contacts'), 200).body.results as {
        name: string;
      }[]
    ).map((p) => p.name);

  const searchOn = (caller: Caller, propertyName: string) =>
    caller.post('/api/v1/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName, operator: 'has_property' }] }],
      properties: [propertyName],
    });

  it('each sees property changes made on the other at its next request', async () => {
    const name = uniqueName('shoe_size');
    // Both cache the schema without it.
    expect(await propertyNamesOn(adminOnA)).not.toContain(name);
    expect(await propertyNamesOn(adminOnB)).not.toContain(name);
    expectProblem(await searchOn(adminOnB, name), 422, { code: 'crm.unknown_property' });

    await createProperty(adminOnA, 'contacts', { name, label: 'Shoe size', type: 'number' });
    expect(await propertyNamesOn(adminOnB)).toContain(name);
    expectStatus(await searchOn(adminOnB, name), 200);

    expectStatus(
      await adminOnB.patch(`/api/v1/properties/contacts/${name}`, { label: 'Shoe size (EU)' }),
      200,
    );
    expect(
      expectStatus(await adminOnA.get(`/api/v1/properties/contacts/${name}`), 200).body,
    ).toMatchObject({ name, label: 'Shoe size (EU)' });

    expectStatus(await adminOnA.delete(`/api/v1/properties/contacts/${name}`), 204);
    expect(await propertyNamesOn(adminOnB)).not.toContain(name);
    expectProblem(await searchOn(adminOnB, name), 422, { code: 'crm.unknown_property' });
  });

  it('each sees role changes made on the other at its next request', async () => {
    const setupOnA = new Setup(a, await a.login());
    const user = await setupOnA.userWithRole({ taskPrivileges: [] });
    const userOnA = user.caller;
    const userOnB = accessCallerOf(b, await b.login(user.email, USER_PASSWORD));
    const auditLog = (caller: typeof userOnA) => caller.get('/api/v1/audit-log', { limit: 1 });
    // B caches the user's access without the privilege.
    expectProblem(await auditLog(userOnB), 403, { code: 'core.privilege_required' });

    expectStatus(
      await setupOnA.admin.patch(`/api/v1/roles/${user.roleId}`, {
        taskPrivileges: ['view_audit_log'],
      }),
      200,
    );
    expectStatus(await auditLog(userOnB), 200);
    // A caches it with the privilege.
    expectStatus(await auditLog(userOnA), 200);

    expectStatus(await adminOnB.patch(`/api/v1/roles/${user.roleId}`, { taskPrivileges: [] }), 200);
    expectProblem(await auditLog(userOnA), 403, { code: 'core.privilege_required' });
  });
});
