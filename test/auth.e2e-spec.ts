import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { TransactionHost } from '@custos/core';
import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';
import { USER_PASSWORD, newUser, uniqueEmail } from './support/factories';

/** An identity provider of our own: a JWKS endpoint on loopback and a key to sign tokens with. */
async function startIdentityProvider(clock: FixedClock): Promise<{
  jwksUrl: string;
  sign: (
    claims: Record<string, unknown>,
    options?: { alg?: string; expiresIn?: number; issuer?: string; audience?: string },
  ) => Promise<string>;
  close: () => Promise<void>;
}> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(options.issuer ?? 'https://idp.example.test/')
        .setAudience(options.audience ?? 'custos-client')
        .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
        .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + (options.expiresIn ?? 300))
        .sign(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDatabaseKinds())('authentication on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    idp = await startIdentityProvider(clock);
    server = await startTestServer(kind, {
      clock,
      env: {
        OIDC_ISSUER: 'https://idp.example.test/',
        OIDC_AUDIENCE: 'custos-client',
        OIDC_JWKS_URL: idp.jwksUrl,
        CUSTOS_LOGIN_MAX_FAILURES_PER_EMAIL: '3',
        CUSTOS_LOGIN_MAX_FAILURES_PER_IP: '1000',
      },
    });
    adminToken = await server.login();
  });

  afterAll(async () => {
    await server.close();
    await idp.close();
  });

  describe('password sign-in', () => {
    it('returns a bearer token that identifies the user and the account', async () => {
      const login = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        accountId: server.accountId,
      });
      const me = await server
        .http()
        .get('/api/v1/me')
        .auth(login.body.accessToken, { type: 'bearer' });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        actor: { kind: 'user', label: ADMIN_EMAIL },
        account: { id: server.accountId, name: 'Demo' },
        superAdmin: true,
      });
      expect(me.body.privileges).toContain('manage_users');
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const wrongPassword = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: ADMIN_EMAIL, password: 'not the password at all' });
      const unknownEmail = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: uniqueEmail('nobody'), password: 'not the password at all' });
      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({
          status: 401,
          code: 'identity.invalid_credentials',
          detail: 'The email or password is wrong.',
        });
      }
    });

    it('refuses further attempts with 429 once an email has used up its failures, even with the right password', async () => {
      const user = await newUser(server, adminToken);
      for (let i = 0; i < 3; i += 1) {
        const response = await server
          .http()
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: 'wrong password here' });
        expect(response.status).toBe(401);
      }
      const blocked = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: USER_PASSWORD });
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('identity.too_many_attempts');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      clock.advance(16 * 60 * 1000);
      const later = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: USER_PASSWORD });
      expect(later.status).toBe(200);
      adminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
    });

    it('audits failed and successful sign-ins without the password', async () => {
      const user = await newUser(server, adminToken);
      await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: 'a wrong password 123' });
      const log = await server
        .http()
        .get('/api/v1/audit-log')
        .query({ targetId: user.id, limit: 100 })
        .auth(adminToken, { type: 'bearer' });
      expect(log.status).toBe(200);
      const actions = (log.body.results as { action: string }[]).map((e) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining(['auth.login_failed', 'auth.login_succeeded', 'user.added']),
      );
      expect(JSON.stringify(log.body)).not.toContain('a wrong password 123');
      expect(JSON.stringify(log.body)).not.toContain(USER_PASSWORD);
    });

    it('asks users of several accounts to choose one, and signs them in to the chosen one', async () => {
      // A person of their own: the other tests sign the admin in without naming an account.
      const person = await newUser(server, adminToken);
      const created = await server
        .http()
        .post('/api/v1/accounts')
        .auth(person.token, { type: 'bearer' })
        .send({ name: `Second ${kind}` });
      expect(created.status).toBe(201);
      const ambiguous = await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: person.email, password: USER_PASSWORD });
      expect(ambiguous.status).toBe(422);
      expect(ambiguous.body.code).toBe('identity.account_required');
      expect(ambiguous.body.accounts).toEqual(
        expect.arrayContaining([
          { id: server.accountId, name: 'Demo' },
          { id: created.body.id, name: `Second ${kind}` },
        ]),
      );
      const token = await server.login(person.email, USER_PASSWORD, created.body.id);
      const me = await server.http().get('/api/v1/me').auth(token, { type: 'bearer' });
      expect(me.body.account).toEqual({ id: created.body.id, name: `Second ${kind}` });
      const mine = await server.http().get('/api/v1/accounts').auth(token, { type: 'bearer' });
      expect(mine.body.map((a: { id: string }) => a.id).sort()).toEqual(
        [server.accountId, created.body.id].sort(),
      );
    });
  });

  describe('access tokens', () => {
    it('refuses requests without credentials, with a tampered token, or with an expired one', async () => {
      const token = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
      const [header, payload, signature] = token.split('.');
      const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), acc: 'other' })).toString('base64url')}.${signature}`;
      expect((await server.http().get('/api/v1/me')).status).toBe(401);
      expect(
        (await server.http().get('/api/v1/me').auth(tampered, { type: 'bearer' })).status,
      ).toBe(401);
      expect((await server.http().get('/api/v1/me').auth(forged, { type: 'bearer' })).status).toBe(
        401,
      );
      expect(
        (await server.http().get('/api/v1/me').auth('not-a-jwt', { type: 'bearer' })).status,
      ).toBe(401);
      clock.advance(901 * 1000);
      const expired = await server.http().get('/api/v1/me').auth(token, { type: 'bearer' });
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('identity.invalid_token');
      adminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
    });

    it('reads GET /me in the statement of its sign-in, and answers a refused token with nothing of it', async () => {
      const host = server.app.get(TransactionHost);
      const prepared = jest.spyOn(host, 'queryPrepared');
      const named = jest.spyOn(host, 'queryNamed');
      try {
        const user = await newUser(server, adminToken);
        prepared.mockClear();
        const me = await server.http().get('/api/v1/me').auth(user.token, { type: 'bearer' });
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ user: { id: user.id, email: user.email }, teams: [] });
        expect(prepared.mock.calls.map(([name]) => name)).toEqual(['identity_sign_in_me']);
        expect(named).not.toHaveBeenCalled();
        await server
          .http()
          .post('/api/v1/me/sign-out-everywhere')
          .auth(user.token, { type: 'bearer' })
          .expect(204);
        const refused = await server.http().get('/api/v1/me').auth(user.token, { type: 'bearer' });
        expect(refused.status).toBe(401);
        expect(JSON.stringify(refused.body)).not.toContain(user.email);
      } finally {
        prepared.mockRestore();
        named.mockRestore();
      }
    });

    it('stops accepting the token of a user as soon as they are deactivated', async () => {
      const user = await newUser(server, adminToken);
      expect(
        (await server.http().get('/api/v1/me').auth(user.token, { type: 'bearer' })).status,
      ).toBe(200);
      const deactivate = await server
        .http()
        .patch(`/api/v1/users/${user.id}`)
        .auth(adminToken, { type: 'bearer' })
        .send({ status: 'deactivated' });
      expect(deactivate.status).toBe(200);
      expect(
        (await server.http().get('/api/v1/me').auth(user.token, { type: 'bearer' })).status,
      ).toBe(401);
      expect(
        (
          await server
            .http()
            .post('/api/v1/auth/login')
            .send({ email: user.email, password: USER_PASSWORD })
        ).status,
      ).toBe(401);
    });
  });

  describe('OIDC bearer tokens', () => {
    it('accepts a token of the configured provider and matches the user by email', async () => {
      const user = await newUser(server, adminToken);
      const token = await idp.sign({
        sub: 'idp-subject-1',
        email: user.email.toUpperCase(),
        email_verified: true,
      });
      const me = await server.http().get('/api/v1/me').auth(token, { type: 'bearer' });
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe(user.email);
    });

    it('accepts an invitation only when the token names its account in X-Custos-Account', async () => {
      const email = uniqueEmail('oidc-invited');
      const invited = await server
        .http()
        .post('/api/v1/users')
        .auth(adminToken, { type: 'bearer' })
        .send({ email, displayName: 'Invited through the IdP' });
      expect(invited.status).toBe(201);
      const token = await idp.sign({ sub: 'idp-subject-2', email, email_verified: true });
      const unnamed = await server.http().get('/api/v1/me').auth(token, { type: 'bearer' });
      expect(unnamed.status).toBe(401);
      const named = await server
        .http()
        .get('/api/v1/me')
        .auth(token, { type: 'bearer' })
        .set('X-Custos-Account', server.accountId);
      expect(named.status).toBe(200);
      const user = await server
        .http()
        .get(`/api/v1/users/${invited.body.id}`)
        .auth(adminToken, { type: 'bearer' });
      expect(user.body.status).toBe('active');
    });

    it('refuses tokens with the wrong audience, an unverified email, an unknown user or an expired time', async () => {
      const user = await newUser(server, adminToken);
      const tokens = [
        await idp.sign({ email: user.email }, { audience: 'someone-else' }),
        await idp.sign({ email: user.email, email_verified: false }),
        await idp.sign({ email: uniqueEmail('stranger') }),
        await idp.sign({ email: user.email }, { expiresIn: -60 }),
      ];
      for (const token of tokens) {
        expect((await server.http().get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(
          401,
        );
      }
    });

    it('refuses a token signed with a symmetric key or no signature, even with the right issuer', async () => {
      const user = await newUser(server, adminToken);
      const hs256 = await new SignJWT({ email: user.email })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://idp.example.test/')
        .setAudience('custos-client')
        .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 300)
        .sign(new TextEncoder().encode('a guessable shared secret value!'));
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'https://idp.example.test/', aud: 'custos-client', email: user.email, exp: Math.floor(clock.now().getTime() / 1000) + 300 })).toString('base64url')}.`;
      for (const token of [hs256, unsigned]) {
        expect((await server.http().get('/api/v1/me').auth(token, { type: 'bearer' })).status).toBe(
          401,
        );
      }
    });
  });

  describe('private apps (API keys)', () => {
    it('shows the key once, stores only its hash, and accepts it as X-API-Key or bearer within its scopes', async () => {
      const created = await server
        .http()
        .post('/api/v1/api-keys')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: 'Warehouse sync', scopes: ['view_audit_log'] });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^ck_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      const stored = await server.dataSource.query(
        `SELECT * FROM identity_api_key WHERE id = ${kind === 'postgres' ? '$1' : '?'}`,
        [created.body.id],
      );
      expect(JSON.stringify(stored)).not.toContain(key.split('_').slice(2).join('_'));
      const list = await server.http().get('/api/v1/api-keys').auth(adminToken, { type: 'bearer' });
      expect(JSON.stringify(list.body)).not.toContain(key);

      expect((await server.http().get('/api/v1/audit-log').set('X-API-Key', key)).status).toBe(200);
      expect(
        (await server.http().get('/api/v1/audit-log').auth(key, { type: 'bearer' })).status,
      ).toBe(200);
      const outOfScope = await server
        .http()
        .post('/api/v1/teams')
        .set('X-API-Key', key)
        .send({ name: 'Sneaky' });
      expect(outOfScope.status).toBe(403);
      expect(outOfScope.body).toMatchObject({
        code: 'core.privilege_required',
        privilege: 'manage_teams',
      });
      const me = await server.http().get('/api/v1/me').set('X-API-Key', key);
      expect(me.body).toMatchObject({
        actor: { kind: 'private_app' },
        superAdmin: false,
        privileges: ['view_audit_log'],
      });
    });

    it('stops working when revoked, and when a wrong secret is presented', async () => {
      const created = await server
        .http()
        .post('/api/v1/api-keys')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: 'Short-lived', scopes: ['view_audit_log'] });
      const key = created.body.key as string;
      const wrongSecret = `${key.slice(0, -6)}AAAAAA`;
      expect(
        (await server.http().get('/api/v1/audit-log').set('X-API-Key', wrongSecret)).status,
      ).toBe(401);
      const revoked = await server
        .http()
        .delete(`/api/v1/api-keys/${created.body.id}`)
        .auth(adminToken, { type: 'bearer' });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      expect((await server.http().get('/api/v1/audit-log').set('X-API-Key', key)).status).toBe(401);
    });

    it("never carries more rights than its creator: a demoted creator's keys lose their scopes", async () => {
      const creator = await newUser(server, adminToken, { superAdmin: true });
      const created = await server
        .http()
        .post('/api/v1/api-keys')
        .auth(creator.token, { type: 'bearer' })
        .send({ name: 'Creator key', scopes: ['view_audit_log'] });
      const key = created.body.key as string;
      expect((await server.http().get('/api/v1/audit-log').set('X-API-Key', key)).status).toBe(200);
      await server
        .http()
        .patch(`/api/v1/users/${creator.id}`)
        .auth(adminToken, { type: 'bearer' })
        .send({ superAdmin: false });
      expect((await server.http().get('/api/v1/audit-log').set('X-API-Key', key)).status).toBe(403);
    });

    it('is made only by super admins, and only with known scopes', async () => {
      const member = await newUser(server, adminToken);
      expect(
        (
          await server
            .http()
            .post('/api/v1/api-keys')
            .auth(member.token, { type: 'bearer' })
            .send({ name: 'Mine', scopes: [] })
        ).status,
      ).toBe(403);
      const bad = await server
        .http()
        .post('/api/v1/api-keys')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: 'Bad', scopes: ['rule_the_world'] });
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0].field).toBe('scopes');
    });
  });

  it('tags every log line written while serving a request with its request id', async () => {
    const response = await server
      .http()
      .post('/api/v1/auth/login')
      .set('X-Request-Id', 'trace-4711-abcdef')
      .send({ email: uniqueEmail('ghost'), password: 'whatever it may be' });
    expect(response.status).toBe(401);
    expect(response.headers['x-request-id']).toBe('trace-4711-abcdef');
    const lines = server.logs.filter((line) => line.includes('trace-4711-abcdef'));
    expect(lines.some((line) => line.includes('Failed sign-in for an unknown email'))).toBe(true);
  });

  it('never writes passwords, tokens or keys to the log', async () => {
    const joined = server.logs.join('\n');
    expect(joined.length).toBeGreaterThan(0);
    expect(joined).not.toContain(ADMIN_PASSWORD);
    expect(joined).not.toContain(USER_PASSWORD);
    expect(joined).not.toContain(adminToken);
    expect(joined).not.toMatch(/ck_[0-9a-f]{32}_/);
  });
});
