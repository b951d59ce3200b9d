import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditCheckpointer } from '@custos/audit';
import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from './support/test-server';
import { newUser } from './support/factories';

describe.each(testDatabaseKinds())('audit log on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  beforeEach(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    // A few audited changes: users added, a team created, a super admin granted.
    const user = await newUser(server, adminToken);
    await server
      .http()
      .post('/api/v1/teams')
      .auth(adminToken, { type: 'bearer' })
      .send({ name: 'Northern Europe' });
    await server
      .http()
      .patch(`/api/v1/users/${user.id}`)
      .auth(adminToken, { type: 'bearer' })
      .send({ superAdmin: true });
  });

  afterEach(async () => {
    await server.close();
  });

  async function verify(): Promise<{
    valid: boolean;
    reason?: string;
    firstBrokenSeq?: number;
    headSeq: number;
  }> {
    const response = await server
      .http()
      .get('/api/v1/audit-log/verify')
      .auth(adminToken, { type: 'bearer' });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function head(): Promise<{ seq: number; hash: string; signature: string }> {
    const [row] = await server.dataSource.query(
      `SELECT seq, hash, signature FROM audit_chain_head WHERE account_id = ${p(1)}`,
      [server.accountId],
    );
    return { seq: Number(row.seq), hash: row.hash, signature: row.signature };
  }

  async function createTeam(name: string): Promise<void> {
    const response = await server
      .http()
      .post('/api/v1/teams')
      .auth(adminToken, { type: 'bearer' })
      .send({ name });
    expect(response.status).toBe(201);
  }

  /** What the scheduled checkpoint does: every head that moved goes to the witness file. */
  async function checkpoint(): Promise<void> {
    await server.app.get(AuditCheckpointer).checkpointAll();
  }

  async function seqs(): Promise<number[]> {
    const rows: { seq: string | number }[] = await server.dataSource.query(
      `SELECT seq FROM audit_event WHERE account_id = ${p(1)} ORDER BY seq`,
      [server.accountId],
    );
    return rows.map((r) => Number(r.seq));
  }

  it('lists the changes, newest first, with their actor and before/after', async () => {
    const response = await server
      .http()
      .get('/api/v1/audit-log')
      .query({ action: 'user.' })
      .auth(adminToken, { type: 'bearer' });
    expect(response.status).toBe(200);
    const actions = response.body.results.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 2)).toEqual(['user.super_admin_granted', 'user.updated']);
    expect(response.body.results[1]).toMatchObject({
      actor: { kind: 'user', label: 'admin@example.com' },
      targetType: 'user',
      metadata: { before: { superAdmin: false }, after: { superAdmin: true } },
    });
  });

  it('is readable only with the view_audit_log privilege', async () => {
    const member = await newUser(server, adminToken);
    const response = await server
      .http()
      .get('/api/v1/audit-log')
      .auth(member.token, { type: 'bearer' });
    expect(response.status).toBe(403);
    expect(response.body.privilege).toBe('view_audit_log');
    expect(
      (await server.http().get('/api/v1/audit-log/verify').auth(member.token, { type: 'bearer' }))
        .status,
    ).toBe(403);
  });

  it('verifies an untouched chain', async () => {
    await expect(verify()).resolves.toMatchObject({ valid: true });
  });

  it('detects an edited event', async () => {
    const [, second] = await seqs();
    await server.dataSource.query(
      `UPDATE audit_event SET metadata = ${p(1)} WHERE account_id = ${p(2)} AND seq = ${p(3)}`,
      ['{"after":{"email":"someone-else@example.com"}}', server.accountId, second],
    );
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      reason: 'hash_mismatch',
      firstBrokenSeq: second,
    });
  });

  it('detects a deleted event', async () => {
    const [, second] = await seqs();
    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq = ${p(2)}`,
      [server.accountId, second],
    );
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      reason: 'broken_link',
      firstBrokenSeq: second,
    });
  });

  it('detects a truncated tail through the signed chain head', async () => {
    const all = await seqs();
    const last = all[all.length - 1];
    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq >= ${p(2)}`,
      [server.accountId, last - 1],
    );
    await expect(verify()).resolves.toMatchObject({ valid: false, reason: 'head_mismatch' });
  });

  it('detects a chain head rewritten to hide a truncation', async () => {
    const all = await seqs();
    const last = all[all.length - 1];
    const [previous] = await server.dataSource.query(
      `SELECT hash FROM audit_event WHERE account_id = ${p(1)} AND seq = ${p(2)}`,
      [server.accountId, last - 1],
    );
    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq = ${p(2)}`,
      [server.accountId, last],
    );
    await server.dataSource.query(
      `UPDATE audit_chain_head SET seq = ${p(1)}, hash = ${p(2)} WHERE account_id = ${p(3)}`,
      [last - 1, previous.hash, server.accountId],
    );
    await expect(verify()).resolves.toMatchObject({ valid: false, reason: 'bad_signature' });
  });

  it('keeps checkpoints of the head in an append-only file under the data directory', async () => {
    await checkpoint();
    const lines = readFileSync(join(server.config.dataDir, 'audit-checkpoints.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { accountId: string; seq: number });
    expect(lines.filter((line) => line.accountId === server.accountId).at(-1)?.seq).toBe(
      (await head()).seq,
    );
  });

  it('detects a tail cut off with an older signed head written back', async () => {
    const older = await head();
    await createTeam('Southern Europe');
    await checkpoint();
    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq > ${p(2)}`,
      [server.accountId, older.seq],
    );
    await server.dataSource.query(
      `UPDATE audit_chain_head SET seq = ${p(1)}, hash = ${p(2)}, signature = ${p(3)} WHERE account_id = ${p(4)}`,
      [older.seq, older.hash, older.signature, server.accountId],
    );
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      reason: 'rolled_back',
      headSeq: older.seq,
      firstBrokenSeq: older.seq + 1,
    });
  });

  it('detects a tail cut off with an older head written back after a verification', async () => {
    const older = await head();
    await createTeam('Southern Europe');
    // A successful verification checkpoints the head it verified.
    await expect(verify()).resolves.toMatchObject({ valid: true });
    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq > ${p(2)}`,
      [server.accountId, older.seq],
    );
    await server.dataSource.query(
      `UPDATE audit_chain_head SET seq = ${p(1)}, hash = ${p(2)}, signature = ${p(3)} WHERE account_id = ${p(4)}`,
      [older.seq, older.hash, older.signature, server.accountId],
    );
    await expect(verify()).resolves.toMatchObject({ valid: false, reason: 'rolled_back' });
  });

  it('detects every event of the account deleted together with its head', async () => {
    await server.dataSource.query(`DELETE FROM audit_event WHERE account_id = ${p(1)}`, [
      server.accountId,
    ]);
    await server.dataSource.query(`DELETE FROM audit_chain_head WHERE account_id = ${p(1)}`, [
      server.accountId,
    ]);
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      reason: 'missing_head',
      headSeq: 0,
    });
  });

  it('detects a deleted chain that later changes started again', async () => {
    await checkpoint();
    await server.dataSource.query(`DELETE FROM audit_event WHERE account_id = ${p(1)}`, [
      server.accountId,
    ]);
    await server.dataSource.query(`DELETE FROM audit_chain_head WHERE account_id = ${p(1)}`, [
      server.accountId,
    ]);
    await createTeam('Southern Europe');
    await expect(verify()).resolves.toMatchObject({ valid: false, reason: 'rolled_back' });
  });
});
