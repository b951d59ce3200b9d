import { Jobs } from '@custos/core';
import { TEST_REDIS_URL, isPostgresAvailable, isRedisAvailable } from '@custos/core/testing';
import { Setup, callerOf, expectStatus, type PrivilegeInput } from './access/access-support';
import { createRecords } from './crm/crm-support';
import {
  contactsExport,
  downloadExport,
  parseCsv,
  requestExport,
  waitForExport,
  type ExportView,
} from './support/exports';
import { startTestServer, type TestServer } from './support/test-server';

// Under CI=true the global setup fails without PostgreSQL or Redis instead of skipping this.
const describeWithRedis = isRedisAvailable() && isPostgresAvailable() ? describe : describe.skip;

const contacts = (action: string): PrivilegeInput => ({
  objectType: 'contacts',
  action,
  level: 'account',
});

/**
 * On BullMQ a job is added after its transaction commits; one added once the instance's jobs
 * began to shut down is dropped. An export queued then (asked for, or approved) keeps `queued`
 * with no job — until the next start, whose sweep queues every queued export without one.
 */
describeWithRedis('An export queued while its single instance shuts down', () => {
  let before: TestServer;
  let after: TestServer | undefined;

  afterAll(async () => {
    await after?.close();
    await before?.close();
  });

  it('runs after the restart: asked for, or approved, during the shutdown', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'error' };
    before = await startTestServer('postgres', { env });
    const setup = new Setup(before, await before.login());
    const member = await setup.userWithRole({
      privileges: [contacts('read'), contacts('export')],
      taskPrivileges: ['export'],
    });
    await createRecords(
      setup.admin,
      'contacts',
      Array.from({ length: 3 }, (_, i) => ({ email: `r${i}@restart.test` })),
    );
    expectStatus(
      await setup.admin.put('/api/v1/exports/settings', {
        approvalRequired: true,
        recordThreshold: 2,
        pendingExpiryHours: 72,
        fileTtlDays: 7,
      }),
      200,
    );
    const adminId = (
      expectStatus(await setup.admin.get('/api/v1/me'), 200).body as { user: { id: string } }
    ).user.id;
    const pending = await requestExport(
      member.caller,
      contactsExport(['email'], { notify: [adminId] }),
    );
    expect(pending.state).toBe('pending_approval');

    await before.app.get(Jobs).beforeApplicationShutdown();
    // Approved, and asked for by a super admin (who skips approval): both `queued`, jobs dropped.
    const approved = expectStatus(
      await setup.admin.post(`/api/v1/exports/${pending.id}/approve`),
      200,
    ).body as ExportView;
    const direct = await requestExport(setup.admin, contactsExport(['email']));
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const id of [approved.id, direct.id]) {
      const view = expectStatus(await setup.admin.get(`/api/v1/exports/${id}`), 200)
        .body as ExportView;
      expect(view).toMatchObject({ state: 'queued', rowsDone: 0 });
    }

    after = await startTestServer('postgres', { env, sameDatabaseAs: before });
    const memberAfter = callerOf(after, member.token);
    await expect(waitForExport(memberAfter, approved.id)).resolves.toMatchObject({
      state: 'done',
      rowsDone: 3,
    });
    const file = expectStatus(await downloadExport(after, member.token, approved.id), 200)
      .body as Buffer;
    expect(parseCsv(file)).toHaveLength(4);
    await expect(
      waitForExport(callerOf(after, setup.adminToken), direct.id),
    ).resolves.toMatchObject({ state: 'done' });
  });
});
