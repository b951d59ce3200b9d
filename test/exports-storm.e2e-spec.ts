import { Approvals } from '@custos/approvals';
import { Setup, expectStatus, type PrivilegeInput } from './access/access-support';
import { createRecords } from './crm/crm-support';
import {
  contactsExport,
  jobsOf,
  requestExport,
  waitForExport,
  type ExportView,
} from './support/exports';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Issue 15 on PostgreSQL: a decision on an export is taken once under real concurrent HTTP
 * requests (approve against approve, reject, revoke, and the expiry job). Each round: exactly one
 * 2xx, the loser 409, at most one job for the export, one audit event per transition.
 */

type Rival = 'approve' | 'reject' | 'revoke' | 'expire';

/** Rounds per rival: 210 in all. */
const ROUNDS: Record<Rival, number> = { approve: 60, reject: 50, revoke: 50, expire: 50 };
/** Rounds raced at once (the expiry rounds one at a time: `expireDue` sweeps every due request). */
const PARALLEL_ROUNDS = 5;

const contacts = (action: string, level: string): PrivilegeInput => ({
  objectType: 'contacts',
  action,
  level,
});

/** The state an export reaches when `winner` decided it. */
const STATE_AFTER: Record<Rival, string[]> = {
  approve: ['queued', 'running', 'done'],
  reject: ['rejected'],
  revoke: ['revoked'],
  expire: ['expired'],
};

describe('Export approval storms on postgres', () => {
  let server: TestServer;
  let requester: Awaited<ReturnType<Setup['userWithRole']>>;
  let first: Awaited<ReturnType<Setup['userWithRole']>>;
  let second: Awaited<ReturnType<Setup['userWithRole']>>;
  const approved: string[] = [];
  let expiryRounds = 0;

  beforeAll(async () => {
    // The expiry rival is the test's own `expireDue`: the scheduled sweep would be a third party
    // (it could expire a due request before either rival moves).
    server = await startTestServer('postgres', { env: { CUSTOS_APPROVAL_EXPIRY_SECONDS: '0' } });
    const setup = new Setup(server, await server.login());
    requester = await setup.userWithRole({
      privileges: [contacts('read', 'account'), contacts('export', 'account')],
      taskPrivileges: ['export'],
    });
    first = await setup.userWithRole({ taskPrivileges: ['approve_exports'] });
    second = await setup.userWithRole({ taskPrivileges: ['approve_exports'] });
    await createRecords(setup.admin, 'contacts', [
      { email: 'storm-1@exports.test' },
      { email: 'storm-2@exports.test' },
    ]);
    expectStatus(
      await setup.admin.put('/api/v1/exports/settings', {
        approvalRequired: true,
        recordThreshold: 0,
        pendingExpiryHours: 72,
        fileTtlDays: 1,
      }),
      200,
    );
  });

  afterAll(async () => {
    // The approved exports are cancelled and settle before the server stops (their runs are not the point).
    await Promise.all(approved.map((id) => requester.caller.post(`/api/v1/exports/${id}/cancel`)));
    for (const id of approved) {
      await waitForExport(requester.caller, id);
    }
    await server?.close();
  });

  async function pending(): Promise<ExportView> {
    const created = await requestExport(
      requester.caller,
      contactsExport(['email'], { notify: [first.id] }),
    );
    expect(created.state).toBe('pending_approval');
    return created;
  }

  /** The rival's move, as the HTTP status it would answer (the expiry job: 200 when it won). */
  async function move(rival: Rival, id: string, dueIn: number): Promise<number> {
    const path = `/api/v1/exports/${id}`;
    switch (rival) {
      case 'approve':
        return (await second.caller.post(`${path}/approve`)).status;
      case 'reject':
        return (await second.caller.post(`${path}/reject`, { reason: 'No.' })).status;
      case 'revoke':
        return (await requester.caller.post(`${path}/revoke`)).status;
      case 'expire':
        await new Promise((resolve) => setTimeout(resolve, Math.max(dueIn, 0)));
        return (await server.app.get(Approvals).expireDue()) === 1 ? 200 : 409;
    }
  }

  async function auditActions(targetId: string): Promise<string[]> {
    const rows = await server.dataSource.query<{ action: string }[]>(
      'SELECT action FROM audit_event WHERE target_id = $1 ORDER BY seq',
      [targetId],
    );
    return rows.map((row) => row.action);
  }

  async function round(rival: Rival): Promise<void> {
    const created = await pending();
    const approvalId = created.approvalId!;
    // Expiry rounds alternate: already due, or due a moment after the approval is sent.
    const dueIn = rival === 'expire' ? (expiryRounds++ % 2 === 0 ? -1_000 : 20) : 0;
    if (rival === 'expire') {
      await server.dataSource.query(
        'UPDATE custos_approval_request SET expires_at = $1 WHERE id = $2',
        [new Date(Date.now() + dueIn).toISOString(), approvalId],
      );
    }
    const [approval, other] = await Promise.all([
      first.caller.post(`/api/v1/exports/${created.id}/approve`),
      move(rival, created.id, dueIn),
    ]);
    const statuses = [approval.status, other];
    expect(statuses.sort()).toEqual([200, 409]);
    const winner: Rival = approval.status === 200 ? 'approve' : rival;
    if (approval.status === 409) {
      expect(approval.headers['content-type']).toMatch(/problem\+json/);
    }
    const [after] = await server.dataSource.query<{ state: string }[]>(
      'SELECT state FROM custos_export WHERE id = $1',
      [created.id],
    );
    expect(STATE_AFTER[winner]).toContain(after.state);
    expect(await jobsOf(server, created.id)).toBe(winner === 'approve' ? 1 : 0);
    if (winner === 'approve') {
      approved.push(created.id);
    }
    // The approval: requested, then the one decision.
    expect(await auditActions(approvalId)).toEqual([
      'approval.requested',
      `approval.${{ approve: 'approved', reject: 'rejected', revoke: 'revoked', expire: 'expired' }[winner]}`,
    ]);
    // The export: each transition once (a run's own transitions may follow an approval).
    const transitions = await auditActions(created.id);
    expect(transitions.slice(0, 2)).toEqual([
      'export.requested',
      `export.${winner === 'approve' ? 'queued' : STATE_AFTER[winner][0]}`,
    ]);
    expect(new Set(transitions).size).toBe(transitions.length);
  }

  it.each(Object.entries(ROUNDS) as [Rival, number][])(
    'approve against %s: exactly one outcome in each of %i rounds',
    async (rival, rounds) => {
      const atOnce = rival === 'expire' ? 1 : PARALLEL_ROUNDS;
      for (let done = 0; done < rounds; done += atOnce) {
        await Promise.all(
          Array.from({ length: Math.min(atOnce, rounds - done) }, () => round(rival)),
        );
      }
    },
  );
});
