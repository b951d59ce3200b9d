import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AuditCheckpointer, type AuditCheckpoint } from '@custos/audit';
import { listenForWebhook, storingWitness } from '@custos/audit/testing';
import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from './support/test-server';

const SECRET = 'e2e-witness-secret-of-more-than-32-characters';

/** Another party's witness: checks the signature and keeps the checkpoints in memory. */
async function startWitness(): Promise<{ server: Server; url: string; stored: AuditCheckpoint[] }> {
  const { handler, stored } = storingWitness(SECRET);
  return { ...(await listenForWebhook(handler)), stored };
}

describe.each(testDatabaseKinds())('audit witness webhook on %s', (kind) => {
  let witness: Awaited<ReturnType<typeof startWitness>>;
  let server: TestServer;
  let adminToken: string;
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  beforeEach(async () => {
    witness = await startWitness();
    server = await startTestServer(kind, {
      env: { CUSTOS_AUDIT_WITNESS_URL: witness.url, CUSTOS_AUDIT_WITNESS_SECRET: SECRET },
    });
    adminToken = await server.login();
  });

  afterEach(async () => {
    await server.close();
    await new Promise<void>((resolve) => {
      witness.server.closeAllConnections();
      witness.server.close(() => resolve());
    });
  });

  async function verify(): Promise<{ valid: boolean; reason?: string; headSeq: number }> {
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

  it('sends the checkpoints to the webhook instead of the file and detects a cut-back chain', async () => {
    const older = await head();
    await createTeam('Southern Europe');
    await server.app.get(AuditCheckpointer).checkpointAll();
    const newest = await head();
    expect(
      witness.stored.filter((checkpoint) => checkpoint.accountId === server.accountId).at(-1),
    ).toMatchObject({ seq: newest.seq, hash: newest.hash });
    expect(existsSync(join(server.config.dataDir, 'audit-checkpoints.jsonl'))).toBe(false);

    await server.dataSource.query(
      `DELETE FROM audit_event WHERE account_id = ${p(1)} AND seq > ${p(2)}`,
      [server.accountId, older.seq],
    );
    await server.dataSource.query(
      `UPDATE audit_chain_head SET seq = ${p(1)}, hash = ${p(2)}, signature = ${p(3)} WHERE account_id = ${p(4)}`,
      [older.seq, older.hash, older.signature, server.accountId],
    );
    await expect(verify()).resolves.toMatchObject({ valid: false, reason: 'rolled_back' });
    expect(server.logs.join('')).not.toContain(SECRET);
  });
});
