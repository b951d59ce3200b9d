import { randomBytes } from 'node:crypto';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from './support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const ACCOUNTS = '/api/v1/operator/accounts';

describe.each(testDatabaseKinds())('operator API on %s', (kind) => {
  describe('without CUSTOS_OPERATOR_TOKEN', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(kind);
    });

    afterAll(async () => {
      await server.close();
    });

    it('answers 404 on every operator route, whatever token is presented', async () => {
      const token = await server.login();
      const responses = await Promise.all([
        server.http().get(`${ACCOUNTS}/${server.accountId}`),
        server
          .http()
          .get(`${ACCOUNTS}/${server.accountId}`)
          .set('X-Operator-Token', OPERATOR_TOKEN),
        server.http().get(`${ACCOUNTS}/not-an-id`).set('X-Operator-Token', OPERATOR_TOKEN),
        server
          .http()
          .patch(`${ACCOUNTS}/${server.accountId}`)
          .auth(token, { type: 'bearer' })
          .send({ edition: 'starter' }),
      ]);
      for (const response of responses) {
        expectProblem(response, 404, { code: 'operator.disabled' });
      }
      const account = await server
        .http()
        .get('/api/v1/settings/sensitive-data')
        .auth(token, { type: 'bearer' });
      expect(account.body.edition).toBe('enterprise');
    });
  });

  describe('with CUSTOS_OPERATOR_TOKEN', () => {
    let server: TestServer;
    let adminToken: string;
    const operator = () => ({
      get: (accountId: string) =>
        server.http().get(`${ACCOUNTS}/${accountId}`).set('X-Operator-Token', OPERATOR_TOKEN),
      patch: (accountId: string, body: object) =>
        server
          .http()
          .patch(`${ACCOUNTS}/${accountId}`)
          .set('X-Operator-Token', OPERATOR_TOKEN)
          .send(body),
    });
    const settings = (token = adminToken) =>
      server.http().get('/api/v1/settings/sensitive-data').auth(token, { type: 'bearer' });
    /** An account of the test's own, for the tests that change one: the others read the Demo one. */
    const ownAccount = () =>
      newAccount(server, adminToken, 'Operated', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });

    beforeAll(async () => {
      server = await startTestServer(kind, { env: { CUSTOS_OPERATOR_TOKEN: OPERATOR_TOKEN } });
      adminToken = await server.login();
    });

    afterAll(async () => {
      await server.close();
    });

    it('refuses a missing or wrong operator token, and user credentials, with 401', async () => {
      const wrong = Buffer.from(OPERATOR_TOKEN);
      wrong[0] = wrong[0] === 0x41 ? 0x42 : 0x41;
      const responses = await Promise.all([
        server.http().get(`${ACCOUNTS}/${server.accountId}`),
        server
          .http()
          .get(`${ACCOUNTS}/${server.accountId}`)
          .set('X-Operator-Token', wrong.toString()),
        server
          .http()
          .get(`${ACCOUNTS}/${server.accountId}`)
          .set('X-Operator-Token', `${OPERATOR_TOKEN}x`),
        server.http().get(`${ACCOUNTS}/${server.accountId}`).auth(adminToken, { type: 'bearer' }),
        server
          .http()
          .get(`${ACCOUNTS}/${server.accountId}`)
          .auth(OPERATOR_TOKEN, { type: 'bearer' }),
        server
          .http()
          .patch(`${ACCOUNTS}/${server.accountId}`)
          .auth(adminToken, { type: 'bearer' })
          .send({ edition: 'starter' }),
      ]);
      for (const response of responses) {
        expectProblem(response, 401, { code: 'operator.invalid_token' });
      }
      expect((await settings()).body.edition).toBe('enterprise');
    });

    it('reads an account', async () => {
      const response = await operator().get(server.accountId);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: server.accountId,
        name: 'Demo',
        edition: 'enterprise',
        dataRegion: 'eu',
        sensitiveDataEnabled: false,
        updatedAt: expect.any(String),
      });
    });

    it('answers 422 naming accountId for a malformed id and 404 for an unknown account', async () => {
      expectProblem(await operator().get('42'), 422, { field: 'accountId' });
      expectProblem(await operator().get('0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e'), 404, {
        code: 'operator.account_not_found',
      });
      expectProblem(
        await operator().patch('0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e', { edition: 'starter' }),
        404,
        { code: 'operator.account_not_found' },
      );
    });

    it.each([
      [{ edition: 'platinum' }, 'edition'],
      [{ edition: 7 }, 'edition'],
      [{ dataRegion: 'EU' }, 'dataRegion'],
      [{ dataRegion: 'e' }, 'dataRegion'],
      [{ dataRegion: 'eu/../us' }, 'dataRegion'],
      [{ dataRegion: 'a'.repeat(33) }, 'dataRegion'],
      [{}, 'edition'],
      [{ name: 'Renamed' }, 'name'],
    ])('refuses %p with 422 naming %s', async (body, field) => {
      expectProblem(await operator().patch(server.accountId, body), 422, { field });
    });

    it('changes the edition and the data region, each audited as the platform operator with before and after', async () => {
      const { accountId, token } = await ownAccount();
      const response = await operator().patch(accountId, {
        edition: 'professional',
        dataRegion: 'us-east',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ edition: 'professional', dataRegion: 'us-east' });
      expect((await operator().get(accountId)).body).toMatchObject({
        edition: 'professional',
        dataRegion: 'us-east',
      });
      expect((await settings(token)).body.edition).toBe('professional');
      const actor = { kind: 'system', id: 'operator', label: 'platform operator' };
      expect(await auditEvents(server, token, { action: 'account.edition_changed' })).toEqual([
        expect.objectContaining({
          actor,
          targetType: 'account',
          targetId: accountId,
          metadata: { before: 'enterprise', after: 'professional' },
        }),
      ]);
      expect(await auditEvents(server, token, { action: 'account.data_region_changed' })).toEqual([
        expect.objectContaining({ actor, metadata: { before: 'eu', after: 'us-east' } }),
      ]);
    });

    it('records nothing when nothing changes', async () => {
      const { accountId, token } = await ownAccount();
      expect(
        (await operator().patch(accountId, { edition: 'professional', dataRegion: 'us-east' }))
          .status,
      ).toBe(200);
      const before = await auditEvents(server, token, { action: 'account.' });
      const response = await operator().patch(accountId, {
        edition: 'professional',
        dataRegion: 'us-east',
      });
      expect(response.status).toBe(200);
      expect(await auditEvents(server, token, { action: 'account.' })).toEqual(before);
    });

    it('locks the data region once sensitive data is on, and still lets the edition change', async () => {
      const { accountId, token } = await ownAccount();
      expect((await operator().patch(accountId, { dataRegion: 'us-east' })).status).toBe(200);
      expect((await operator().patch(accountId, { edition: 'enterprise' })).status).toBe(200);
      const enabled = await server
        .http()
        .post('/api/v1/settings/sensitive-data/enable')
        .auth(token, { type: 'bearer' })
        .send({ categories: ['health_data'], acceptTerms: true });
      expect(enabled.status).toBe(200);
      expect((await operator().get(accountId)).body.sensitiveDataEnabled).toBe(true);
      const eventsBefore = await auditEvents(server, token, { action: 'account.' });

      const moved = await operator().patch(accountId, { dataRegion: 'eu' });
      expectProblem(moved, 409, { code: 'sensitive_data.region_locked', field: 'dataRegion' });
      expect(moved.body.detail).toMatch(/sensitive data/);
      // All or nothing: the edition in the same request is not changed either.
      expectProblem(
        await operator().patch(accountId, { edition: 'starter', dataRegion: 'eu' }),
        409,
        {
          code: 'sensitive_data.region_locked',
        },
      );
      expect((await operator().get(accountId)).body).toMatchObject({
        edition: 'enterprise',
        dataRegion: 'us-east',
      });
      expect(await auditEvents(server, token, { action: 'account.' })).toEqual(eventsBefore);

      // Naming the current region is no move.
      expect((await operator().patch(accountId, { dataRegion: 'us-east' })).status).toBe(200);
      const downgraded = await operator().patch(accountId, { edition: 'starter' });
      expect(downgraded.status).toBe(200);
      expect((await settings(token)).body).toMatchObject({
        enabled: true,
        categories: ['health_data'],
        edition: 'starter',
      });
    });

    it('keeps the audit chain valid and the operator token out of the log', async () => {
      // A refused operator request of its own, which the log names.
      expectProblem(
        await server
          .http()
          .get(`${ACCOUNTS}/${server.accountId}`)
          .set('X-Operator-Token', `${OPERATOR_TOKEN}x`),
        401,
      );
      const verify = await server
        .http()
        .get('/api/v1/audit-log/verify')
        .auth(adminToken, { type: 'bearer' });
      expect(verify.body).toMatchObject({ valid: true });
      expect(server.logs.join('')).not.toContain(OPERATOR_TOKEN);
      expect(server.logs.join('')).toContain('operator token');
    });
  });
});
