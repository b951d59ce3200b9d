import { randomBytes } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from './support/api';
import { newUser, type CreatedUser } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const SETTING = '/api/v1/settings/sensitive-data';
const INTEGRATIONS = `${SETTING}/integrations`;
const TERMS = { categories: ['sensitive_personal_data', 'health_data'], acceptTerms: true };

describe.each(testDatabaseKinds())('sensitive-data setting on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  /** The Demo account never enables sensitive data: its tests see the setting off. */
  let member: CreatedUser;
  let apiKey: string;
  /** An account where `beforeAll` enabled sensitive data; tests only read its state. */
  let on: { accountId: string; token: string; member: CreatedUser; apiKey: string };
  let enabledResponse: Response;

  const asAdmin = (test: Test, token = adminToken) => test.auth(token, { type: 'bearer' });
  const enable = (body: object, token = adminToken) =>
    asAdmin(server.http().post(`${SETTING}/enable`), token).send(body);
  const setEdition = async (accountId: string, edition: string) => {
    const response = await server
      .http()
      .patch(`/api/v1/operator/accounts/${accountId}`)
      .set('X-Operator-Token', OPERATOR_TOKEN)
      .send({ edition });
    expect(response.status).toBe(200);
  };
  /** A fresh account with the Demo admin as its super admin: the setting cannot be undone. */
  let accounts = 0;
  const freshAccount = () => {
    accounts += 1;
    return newAccount(server, adminToken, `Fresh ${accounts}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
  };

  const newApiKey = async (token: string) => {
    const key = await asAdmin(server.http().post('/api/v1/api-keys'), token).send({
      name: 'Settings bot',
      scopes: ['manage_account', 'manage_properties'],
    });
    expect(key.status).toBe(201);
    return key.body.key as string;
  };
  /** A fresh account of the test's own with sensitive data enabled. */
  const enabledAccount = async () => {
    const fresh = await freshAccount();
    expect((await enable(TERMS, fresh.token)).status).toBe(200);
    return fresh;
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_OPERATOR_TOKEN: OPERATOR_TOKEN } });
    adminToken = await server.login();
    member = await newUser(server, adminToken);
    apiKey = await newApiKey(adminToken);
    const fresh = await freshAccount();
    on = {
      ...fresh,
      member: await newUser(server, fresh.token),
      apiKey: await newApiKey(fresh.token),
    };
    enabledResponse = await enable(
      { categories: ['health_data', 'sensitive_personal_data'], acceptTerms: true },
      on.token,
    );
  });

  afterAll(async () => {
    await server.close();
  });

  describe('the setting', () => {
    it('is off at first', async () => {
      const response = await asAdmin(server.http().get(SETTING));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        enabled: false,
        categories: [],
        enabledAt: null,
        edition: 'enterprise',
      });
    });

    it.each([
      [{ categories: ['health_data'] }, 'acceptTerms'],
      [{ categories: ['health_data'], acceptTerms: false }, 'acceptTerms'],
      [{ categories: ['health_data'], acceptTerms: 'true' }, 'acceptTerms'],
      [{ acceptTerms: true }, 'categories'],
      [{ categories: [], acceptTerms: true }, 'categories'],
      [{ categories: ['genetic_data'], acceptTerms: true }, 'categories'],
      [{ categories: ['health_data', 'health_data'], acceptTerms: true }, 'categories'],
      [{ categories: 'health_data', acceptTerms: true }, 'categories'],
    ])('refuses enabling with %p: 422 naming %s', async (body, field) => {
      expectProblem(await enable(body), 422, { field });
    });

    it('refuses a user who is not a super admin, and a private app, with 403', async () => {
      expectProblem(await enable(TERMS, member.token), 403);
      expectProblem(
        await server.http().post(`${SETTING}/enable`).set('X-API-Key', apiKey).send(TERMS),
        403,
      );
      expectProblem(
        await server
          .http()
          .patch(SETTING)
          .set('X-API-Key', apiKey)
          .send({ categories: ['health_data'] }),
        403,
      );
      expect((await asAdmin(server.http().get(SETTING))).body.enabled).toBe(false);
    });

    it('refuses changing categories before it is enabled (409)', async () => {
      expectProblem(
        await asAdmin(server.http().patch(SETTING)).send({ categories: ['health_data'] }),
        409,
        {
          code: 'sensitive_data.not_enabled',
        },
      );
    });

    it('refuses enabling below the enterprise edition (403)', async () => {
      await setEdition(server.accountId, 'professional');
      try {
        expectProblem(await enable(TERMS), 403, { code: 'sensitive_data.edition_required' });
        expect((await asAdmin(server.http().get(SETTING))).body).toMatchObject({
          enabled: false,
          edition: 'professional',
        });
      } finally {
        await setEdition(server.accountId, 'enterprise');
      }
      expect(await auditEvents(server, adminToken, { action: 'sensitive_data.enabled' })).toEqual(
        [],
      );
    });

    it('is enabled by a super admin accepting the terms, audited', async () => {
      expect(enabledResponse.status).toBe(200);
      expect(enabledResponse.body).toEqual({
        enabled: true,
        categories: ['health_data', 'sensitive_personal_data'],
        enabledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        edition: 'enterprise',
      });
      expect((await asAdmin(server.http().get(SETTING), on.token)).body).toEqual(
        enabledResponse.body,
      );
      // Anyone signed in may read the setting.
      expect((await asAdmin(server.http().get(SETTING), on.member.token)).body.enabled).toBe(true);
      const me = await asAdmin(server.http().get('/api/v1/me'), on.token);
      expect(await auditEvents(server, on.token, { action: 'sensitive_data.enabled' })).toEqual([
        expect.objectContaining({
          actor: expect.objectContaining({ kind: 'user', id: me.body.user.id }),
          targetType: 'account',
          targetId: on.accountId,
          metadata: { categories: ['health_data', 'sensitive_personal_data'], termsAccepted: true },
        }),
      ]);
    });

    it('refuses enabling twice (409) and records nothing more', async () => {
      expectProblem(await enable(TERMS, on.token), 409, {
        code: 'sensitive_data.already_enabled',
      });
      expect(
        await auditEvents(server, on.token, { action: 'sensitive_data.enabled' }),
      ).toHaveLength(1);
    });

    it('changes the categories, audited with before and after', async () => {
      const account = await enabledAccount();
      const response = await asAdmin(server.http().patch(SETTING), account.token).send({
        categories: ['financial_data', 'health_data'],
      });
      expect(response.status).toBe(200);
      expect(response.body.categories).toEqual(['financial_data', 'health_data']);
      expect(
        await auditEvents(server, account.token, { action: 'sensitive_data.categories_changed' }),
      ).toEqual([
        expect.objectContaining({
          targetId: account.accountId,
          metadata: {
            before: ['health_data', 'sensitive_personal_data'],
            after: ['financial_data', 'health_data'],
          },
        }),
      ]);
    });

    it.each([
      [{}, 'categories'],
      [{ categories: ['genetic_data'] }, 'categories'],
      [{ enabled: 'no' }, 'enabled'],
    ])('refuses the change %p: 422 naming %s', async (body, field) => {
      expectProblem(await asAdmin(server.http().patch(SETTING), on.token).send(body), 422, {
        field,
      });
    });

    it('can never be turned off (409), and a member may not change it (403)', async () => {
      expectProblem(
        await asAdmin(server.http().patch(SETTING), on.token).send({ enabled: false }),
        409,
        { code: 'sensitive_data.irreversible' },
      );
      expectProblem(
        await asAdmin(server.http().patch(SETTING), on.member.token).send({
          categories: ['health_data'],
        }),
        403,
      );
      expect((await asAdmin(server.http().get(SETTING), on.token)).body).toMatchObject({
        enabled: true,
        categories: ['health_data', 'sensitive_personal_data'],
      });
    });
  });

  describe('integrations allowed to receive sensitive data', () => {
    it('are none at first, and readable by any signed-in actor', async () => {
      for (const test of [
        asAdmin(server.http().get(INTEGRATIONS), on.token),
        asAdmin(server.http().get(INTEGRATIONS), on.member.token),
        server.http().get(INTEGRATIONS).set('X-API-Key', on.apiKey),
      ]) {
        const response = await test;
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ results: [] });
      }
    });

    it.each(['Billing', '9lives', 'a'.repeat(65), 'billing.sync', '-sync'])(
      'refuses the name %p with 422 naming name',
      async (name) => {
        expectProblem(
          await asAdmin(server.http().put(`${INTEGRATIONS}/${encodeURIComponent(name)}`), on.token),
          422,
          { code: 'sensitive_data.invalid_integration_name', field: 'name' },
        );
      },
    );

    it('may be changed by super admins in person only (403 for members and private apps)', async () => {
      expectProblem(
        await asAdmin(server.http().put(`${INTEGRATIONS}/billing-sync`), on.member.token),
        403,
      );
      expectProblem(
        await server.http().put(`${INTEGRATIONS}/billing-sync`).set('X-API-Key', on.apiKey),
        403,
      );
      expectProblem(
        await server.http().delete(`${INTEGRATIONS}/billing-sync`).set('X-API-Key', on.apiKey),
        403,
      );
      expect((await asAdmin(server.http().get(INTEGRATIONS), on.token)).body.results).toEqual([]);
    });

    it('is enabled by a super admin, idempotently, audited once', async () => {
      const { token } = await enabledAccount();
      const first = await asAdmin(server.http().put(`${INTEGRATIONS}/billing-sync`), token);
      expect(first.status).toBe(200);
      const me = await asAdmin(server.http().get('/api/v1/me'), token);
      expect(first.body).toEqual({
        name: 'billing-sync',
        enabledAt: expect.any(String),
        enabledBy: me.body.user.id,
      });
      const again = await asAdmin(server.http().put(`${INTEGRATIONS}/billing-sync`), token);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await asAdmin(server.http().put(`${INTEGRATIONS}/a_crm`), token)).status).toBe(200);
      expect(
        (await asAdmin(server.http().get(INTEGRATIONS), token)).body.results.map(
          (i: { name: string }) => i.name,
        ),
      ).toEqual(['a_crm', 'billing-sync']);
      expect(
        await auditEvents(server, token, {
          action: 'sensitive_data.integration_enabled',
          targetId: 'billing-sync',
        }),
      ).toEqual([
        expect.objectContaining({
          targetType: 'sensitive_data_integration',
          actor: expect.objectContaining({ kind: 'user', id: me.body.user.id }),
          metadata: { name: 'billing-sync' },
        }),
      ]);
    });

    it('is disabled with DELETE (204, audited); deleting again is 404', async () => {
      const { token } = await enabledAccount();
      for (const name of ['billing-sync', 'a_crm']) {
        expect((await asAdmin(server.http().put(`${INTEGRATIONS}/${name}`), token)).status).toBe(
          200,
        );
      }
      const removed = await asAdmin(server.http().delete(`${INTEGRATIONS}/billing-sync`), token);
      expect(removed.status).toBe(204);
      expect((await asAdmin(server.http().get(INTEGRATIONS), token)).body.results).toEqual([
        expect.objectContaining({ name: 'a_crm' }),
      ]);
      expect(
        await auditEvents(server, token, { action: 'sensitive_data.integration_disabled' }),
      ).toEqual([
        expect.objectContaining({
          targetId: 'billing-sync',
          metadata: expect.objectContaining({ name: 'billing-sync' }),
        }),
      ]);
      expectProblem(
        await asAdmin(server.http().delete(`${INTEGRATIONS}/billing-sync`), token),
        404,
        { code: 'sensitive_data.integration_not_found' },
      );
    });

    it('cannot be enabled below the enterprise edition (403), but can still be disabled', async () => {
      const { accountId, token } = await enabledAccount();
      expect((await asAdmin(server.http().put(`${INTEGRATIONS}/a_crm`), token)).status).toBe(200);
      await setEdition(accountId, 'starter');
      expectProblem(await asAdmin(server.http().put(`${INTEGRATIONS}/warehouse`), token), 403, {
        code: 'sensitive_data.edition_required',
      });
      expect((await asAdmin(server.http().delete(`${INTEGRATIONS}/a_crm`), token)).status).toBe(
        204,
      );
    });

    it('cannot be enabled while sensitive data is off (409)', async () => {
      const fresh = await freshAccount();
      expectProblem(
        await asAdmin(server.http().put(`${INTEGRATIONS}/billing-sync`), fresh.token),
        409,
        {
          code: 'sensitive_data.not_enabled',
        },
      );
      expect((await asAdmin(server.http().get(INTEGRATIONS), fresh.token)).body.results).toEqual(
        [],
      );
      // Nothing crosses accounts: other accounts' integrations are not listed here.
      expect(await auditEvents(server, fresh.token, { action: 'sensitive_data.' })).toEqual([]);
    });
  });

  it('lets exactly one of 10 concurrent enable requests through; the others get 409', async () => {
    const fresh = await freshAccount();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => enable(TERMS, fresh.token)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409, { code: 'sensitive_data.already_enabled' });
    }
    expect(
      await auditEvents(server, fresh.token, { action: 'sensitive_data.enabled' }),
    ).toHaveLength(1);
    const verify = await asAdmin(server.http().get('/api/v1/audit-log/verify'), fresh.token);
    expect(verify.body).toMatchObject({ valid: true });
  });
});
