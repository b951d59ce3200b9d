import { AccountCiphers, keyScopeOf, keyVersionOf } from '@custos/crypto';
import { testDatabaseKinds } from '@custos/core/testing';
import { Setup } from './access/access-support';
import {
  callerOf,
  createProperty,
  createRecords,
  expectStatus,
  uniqueName,
  type Caller,
  type RecordView,
} from './crm/crm-support';
import {
  openAll,
  seedSensitiveRecords,
  storedValues,
  versionCounts,
  waitForRotation,
  type EncryptionStatusView,
} from './support/key-rotation-support';
import { auditEvents, expectProblem, newAccount } from './support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

const RECORDS = 300;

describe.each(testDatabaseKinds())('Data-key rotation on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    // Small batches: many transactions, and a rotation that runs while requests come in.
    server = await startTestServer(kind, { env: { CUSTOS_ROTATION_BATCH_SIZE: '10' } });
    adminToken = await server.login();
  });

  afterAll(async () => server.close());

  /**
   * A rotation cannot be undone, so each test that enables sensitive data or rotates does so in an
   * account of its own, with the Demo admin as its super admin.
   */
  async function ownAccount(): Promise<{ accountId: string; token: string; admin: Caller }> {
    const { accountId, token } = await newAccount(server, adminToken, uniqueName('Rotation'), {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    return { accountId, token, admin: callerOf(server, token) };
  }

  async function allCompanies(admin: Caller, property: string): Promise<RecordView[]> {
    const records: RecordView[] = [];
    let after: string | undefined;
    do {
      const page = expectStatus(
        await admin.get('/api/v1/objects/companies', {
          limit: 100,
          properties: property,
          ...(after ? { after } : {}),
        }),
        200,
      ).body as { results: RecordView[]; paging?: { next?: { after: string } } };
      records.push(...page.results);
      after = page.paging?.next?.after;
    } while (after);
    return records;
  }

  it('shows version 1 in use before any rotation', async () => {
    const { accountId, admin } = await ownAccount();
    const { property } = await seedSensitiveRecords(admin, 10);
    const status = expectStatus(await admin.get('/api/v1/settings/encryption'), 200)
      .body as EncryptionStatusView;
    const stored = await storedValues(server.dataSource, accountId, property);
    // Every company holds a value; every other one was changed once (old and new in history).
    expect(stored).toHaveLength(10 + 10 + 2 * (10 / 2));
    expect(status).toMatchObject({
      activeVersion: 1,
      versions: [{ version: 1, active: true, values: stored.length }],
      versionsInUse: [1],
      rotation: null,
    });
  });

  it('refuses rotation to anyone but a super admin', async () => {
    const rep = await new Setup(server, adminToken).userWithRole({ privileges: [] });
    expectProblem(await rep.caller.post('/api/v1/settings/encryption/rotate'), 403);
    expectProblem(await rep.caller.get('/api/v1/settings/encryption'), 403);
  });

  it('re-encrypts every value with the new key in the background, values unchanged, audited', async () => {
    const { accountId, token, admin } = await ownAccount();
    const { property, values: expected } = await seedSensitiveRecords(admin, RECORDS);
    const before = await storedValues(server.dataSource, accountId, property);
    const ciphers = server.app.get(AccountCiphers);
    const plaintexts = await openAll(ciphers, accountId, before);

    // Two at once: one starts the rotation, the other finds it running.
    const responses = await Promise.all([
      admin.post('/api/v1/settings/encryption/rotate'),
      admin.post('/api/v1/settings/encryption/rotate'),
    ]);
    const [accepted, refused] = responses[0].status === 202 ? responses : responses.reverse();
    expect(expectStatus(accepted, 202).body).toMatchObject({
      activeVersion: 2,
      rotation: { targetVersion: 2 },
    });
    expectProblem(refused, 409, { code: 'crypto.rotation_running' });
    // Written during the rotation: sealed with the new key at once.
    const [changedId] = [...expected.keys()];
    expectStatus(
      await admin.patch(`/api/v1/objects/companies/${changedId}`, {
        properties: { [property]: 'changed during rotation' },
      }),
      200,
    );
    expected.set(changedId, 'changed during rotation');
    plaintexts.set(
      `crm_company/${changedId}/${property}`,
      JSON.stringify('changed during rotation'),
    );

    const done = await waitForRotation(admin);
    expect(done.rotation).toMatchObject({
      status: 'completed',
      targetVersion: 2,
      unreadable: 0,
      error: null,
    });
    // The value changed during the rotation needed no re-encryption if the change came first.
    expect(done.rotation!.processed).toBeGreaterThanOrEqual(before.length - 1);
    expect(done.rotation!.processed).toBeLessThanOrEqual(before.length);
    expect(done.rotation!.pass).toBeGreaterThanOrEqual(2);

    const after = await storedValues(server.dataSource, accountId, property);
    expect(after.every((v) => keyVersionOf(v.envelope) === 2)).toBe(true);
    expect(versionCounts(after)).toEqual({ 2: before.length + 2 });
    expect(done).toMatchObject({
      activeVersion: 2,
      versions: [
        { version: 1, active: false, values: 0 },
        { version: 2, active: true, values: after.length },
      ],
      versionsInUse: [2],
    });
    // Every value that existed before opens to the same plaintext with the new key.
    const reopened = await openAll(ciphers, accountId, after);
    for (const [place, plaintext] of plaintexts) {
      expect(reopened.get(place)).toBe(plaintext);
    }

    const companies = await allCompanies(admin, property);
    expect(companies).toHaveLength(RECORDS);
    expect(new Map(companies.map((c) => [c.id, c.properties[property]]))).toEqual(expected);
    const history = expectStatus(
      await admin.get(`/api/v1/objects/companies/${changedId}/history`, { property }),
      200,
    ).body.results as { oldValue: unknown; newValue: unknown }[];
    expect(history.map((h) => [h.oldValue, h.newValue])).toEqual([
      [null, 'D-0'],
      ['D-0', 'D-0-revised'],
      ['D-0-revised', 'changed during rotation'],
    ]);

    const [startedEvent] = await auditEvents(server, token, {
      action: 'encryption.rotation_started',
    });
    expect(startedEvent).toMatchObject({
      targetType: 'key_rotation',
      targetId: done.rotation!.id,
      actor: { kind: 'user' },
      metadata: { targetVersion: 2 },
    });
    const [completedEvent] = await auditEvents(server, token, {
      action: 'encryption.rotation_completed',
    });
    expect(completedEvent).toMatchObject({
      targetId: done.rotation!.id,
      actor: { kind: 'system' },
      metadata: { targetVersion: 2, reencrypted: done.rotation!.processed, unreadable: 0 },
    });
  });

  it("wraps contacts' own keys again instead of re-encrypting their values, which open unchanged", async () => {
    const { accountId, admin } = await ownAccount();
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['health_data'],
        acceptTerms: true,
      }),
      200,
    );
    const property = uniqueName('diagnosis');
    await createProperty(admin, 'contacts', {
      name: property,
      label: 'Diagnosis',
      type: 'string',
      sensitivity: {},
    });
    const created = await createRecords(
      admin,
      'contacts',
      Array.from({ length: 5 }, (_, i) => ({ lastname: `Patient ${i}`, [property]: `C-${i}` })),
    );
    const envelopes = async () =>
      (
        await server.dataSource.query<{ custom: string }[]>(
          `SELECT custom FROM crm_contact WHERE account_id = '${accountId}' ORDER BY id`,
        )
      ).map((row) => (JSON.parse(row.custom) as Record<string, string>)[property]);
    const before = await envelopes();
    expect(before.every((envelope) => keyScopeOf(envelope) === 'subject')).toBe(true);

    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    const done = await waitForRotation(admin);
    expect(done).toMatchObject({
      activeVersion: 2,
      rotation: { status: 'completed', processed: 5, unreadable: 0 },
      versions: [
        { version: 1, values: 0 },
        { version: 2, values: 5 },
      ],
    });
    // The values' envelopes are untouched; their keys are wrapped by the new account key.
    expect(await envelopes()).toEqual(before);
    const wrapping = await server.dataSource.query<{ key_version: number }[]>(
      `SELECT key_version FROM crypto_subject_key WHERE account_id = '${accountId}'`,
    );
    expect(wrapping.map((row) => Number(row.key_version))).toEqual([2, 2, 2, 2, 2]);
    for (const [i, { id }] of created.entries()) {
      const record = expectStatus(
        await admin.get(`/api/v1/objects/contacts/${id}`, { properties: property }),
        200,
      ).body as RecordView;
      expect(record.properties[property]).toBe(`C-${i}`);
    }
  });

  it('rotates again once the previous rotation completed', async () => {
    const { admin } = await ownAccount();
    await seedSensitiveRecords(admin, 4);
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    expect((await waitForRotation(admin)).rotation).toMatchObject({ status: 'completed' });
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    const done = await waitForRotation(admin);
    expect(done).toMatchObject({
      activeVersion: 3,
      versionsInUse: [3],
      rotation: { status: 'completed', targetVersion: 3 },
    });
  });

  it('re-encrypts encrypted attachment files too, which download unchanged', async () => {
    const { token, admin } = await ownAccount();
    const { property } = await seedSensitiveRecords(admin, 2);
    const [company] = await allCompanies(admin, property);
    const content = Buffer.from(`attachment body ${'x'.repeat(5000)}`);
    const uploaded = expectStatus(
      await server
        .http()
        .post(`/api/v1/objects/companies/${company.id}/attachments`)
        .auth(token, { type: 'bearer' })
        .attach('file', content, { filename: 'scan.txt', contentType: 'text/plain' }),
      201,
    ).body as { id: string; encrypted: boolean };
    expect(uploaded.encrypted).toBe(true);
    const keyVersion = async () =>
      Number(
        (
          await server.dataSource.query<{ key_version: number }[]>(
            `SELECT key_version FROM crm_attachment WHERE id = '${uploaded.id}'`,
          )
        )[0].key_version,
      );
    const before = await keyVersion();
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    const done = await waitForRotation(admin);
    expect(done.rotation).toMatchObject({ status: 'completed', unreadable: 0 });
    expect(await keyVersion()).toBe(before + 1);
    expect(done.versionsInUse).toEqual([before + 1]);
    const downloaded = expectStatus(
      await server
        .http()
        .get(`/api/v1/attachments/${uploaded.id}/content`)
        .auth(token, { type: 'bearer' })
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        }),
      200,
    );
    expect(Buffer.compare(downloaded.body as Buffer, content)).toBe(0);
  });
});
