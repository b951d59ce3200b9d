import { testDatabaseKinds } from '@custos/core/testing';
import { Setup } from './access/access-support';
import { callerOf, expectStatus, type Caller } from './crm/crm-support';
import { SealedValuesVerificationJob } from '../src/crm/sensitive/sealed-values.job';
import { auditEvents, expectProblem } from './support/api';
import { seedSensitiveRecords, waitForRotation } from './support/key-rotation-support';
import { startTestServer, type TestServer } from './support/test-server';

interface VerificationView {
  valid: boolean;
  valuesChecked: number;
  mismatchCount: number;
  mismatches: { objectType: string; recordId: string; property: string; reason: string }[];
}

describe.each(testDatabaseKinds())('Sealed values verification on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let property: string;
  let companyIds: string[];
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  beforeEach(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    let values: Map<string, string>;
    ({ property, values } = await seedSensitiveRecords(admin, 4));
    companyIds = [...values.keys()];
  });

  afterEach(async () => server.close());

  async function verify(): Promise<VerificationView> {
    return expectStatus(await admin.post('/api/v1/settings/sensitive-data/verify'), 200)
      .body as VerificationView;
  }

  async function customOf(id: string): Promise<string> {
    const [row] = await server.dataSource.query(
      `SELECT custom FROM crm_company WHERE id = ${p(1)}`,
      [id],
    );
    return row.custom as string;
  }

  async function writeCustom(id: string, custom: string): Promise<void> {
    await server.dataSource.query(`UPDATE crm_company SET custom = ${p(1)} WHERE id = ${p(2)}`, [
      custom,
      id,
    ]);
  }

  async function rotate(): Promise<void> {
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    expect((await waitForRotation(admin)).rotation?.status).toBe('completed');
  }

  it('finds the values written through the API (created, then updated) intact', async () => {
    await expect(verify()).resolves.toEqual({
      valid: true,
      valuesChecked: 4,
      mismatchCount: 0,
      mismatches: [],
    });
  });

  it('does not report the values a key rotation re-sealed', async () => {
    await rotate();
    await expect(verify()).resolves.toMatchObject({ valid: true, valuesChecked: 4 });
  });

  it('detects an older envelope of the same place written back after a rotation', async () => {
    const [target] = companyIds;
    const beforeRotation = await customOf(target);
    await rotate();
    await writeCustom(target, beforeRotation);
    await expect(verify()).resolves.toEqual({
      valid: false,
      valuesChecked: 4,
      mismatchCount: 1,
      mismatches: [{ objectType: 'companies', recordId: target, property, reason: 'differs' }],
    });
  });

  it('detects an older envelope of the same place written back after an update', async () => {
    const [target] = companyIds;
    const before = await customOf(target);
    expectStatus(
      await admin.patch(`/api/v1/objects/companies/${target}`, {
        properties: { [property]: 'D-corrected' },
      }),
      200,
    );
    await writeCustom(target, before);
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      mismatches: [{ recordId: target, property, reason: 'differs' }],
    });
  });

  it('detects a sealed value written past the application', async () => {
    const [source, target] = companyIds;
    await writeCustom(target, await customOf(source));
    await expect(verify()).resolves.toMatchObject({
      valid: false,
      mismatches: [{ recordId: target, property, reason: 'differs' }],
    });
  });

  it('audits what it found, with ids and property names only', async () => {
    const [source, target] = companyIds;
    const copied = await customOf(source);
    await writeCustom(target, copied);
    await verify();
    const [event] = await auditEvents(server, adminToken, {
      action: 'sensitive_data.tampering_detected',
    });
    expect(event.metadata).toEqual({
      count: 1,
      recordIds: [target],
      mismatches: [{ recordId: target, property, reason: 'differs' }],
    });
    expect(JSON.stringify(event)).not.toContain(JSON.parse(copied)[property]);
  });

  it('runs on a schedule over every account with sensitive data', async () => {
    const [source, target] = companyIds;
    await writeCustom(target, await customOf(source));
    await expect(server.app.get(SealedValuesVerificationJob).verifyAll()).resolves.toEqual([
      server.accountId,
    ]);
  });

  it('is refused to anyone but a super admin', async () => {
    const rep = await new Setup(server, adminToken).userWithRole({ privileges: [] });
    expectProblem(await rep.caller.post('/api/v1/settings/sensitive-data/verify'), 403);
  });
});
