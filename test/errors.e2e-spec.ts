import type { Response, Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem } from './support/api';
import { startTestServer, type TestServer } from './support/test-server';

/** What must never reach a client: stack frames, SQL, driver errors. */
const LEAK =
  /at .*\.(ts|js):\d+|SELECT |INSERT |UPDATE .* SET|DELETE FROM|QueryFailedError|SQLITE_|duplicate key value|violates unique constraint|node_modules/;

const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'code', 'requestId'] as const;

describe.each(testDatabaseKinds())('error responses on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;

  const http = () => server.http();
  const asAdmin = (req: Test): Test => req.auth(adminToken, { type: 'bearer' });
  const rawJson = (req: Test, body: string): Test =>
    req.set('Content-Type', 'application/json').send(body);

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_BODY_LIMIT: '1kb' } });
    adminToken = await server.login();
    const team = await asAdmin(http().post('/api/v1/teams')).send({ name: 'Existing team' });
    expect(team.status).toBe(201);
  });

  afterAll(async () => {
    await server.close();
  });

  /** Every error case: how to provoke it, and the status, code and field it must answer with. */
  const cases: [string, () => Test, number, { code?: string; field?: string }][] = [
    [
      'malformed JSON',
      () => rawJson(http().post('/api/v1/auth/login'), '{"email": "a@example.com",'),
      400,
      { code: 'core.malformed_json' },
    ],
    [
      'malformed JSON on an authenticated route',
      () => rawJson(asAdmin(http().post('/api/v1/teams')), '{name: nope}'),
      400,
      { code: 'core.malformed_json' },
    ],
    [
      'a body over the limit',
      () =>
        asAdmin(http().post('/api/v1/teams')).send({ name: 'x', description: 'y'.repeat(2048) }),
      413,
      { code: 'core.payload_too_large' },
    ],
    [
      'an unknown route',
      () => http().get('/api/v1/no-such-thing'),
      404,
      { code: 'core.route_not_found' },
    ],
    ['an unknown method on a known path', () => asAdmin(http().put('/api/v1/teams')), 404, {}],
    [
      'a __proto__ key',
      () =>
        rawJson(
          asAdmin(http().post('/api/v1/teams')),
          '{"name":"Polluted","__proto__":{"isAdmin":true}}',
        ),
      422,
      { code: 'core.forbidden_key', field: '__proto__' },
    ],
    [
      'a nested __proto__ key',
      () =>
        rawJson(
          asAdmin(http().post('/api/v1/users')),
          '{"email":"p@example.com","displayName":"P","teamIds":[{"__proto__":{}}]}',
        ),
      422,
      { code: 'core.forbidden_key', field: 'teamIds[0].__proto__' },
    ],
    [
      'a constructor key',
      () =>
        asAdmin(http().post('/api/v1/teams')).send({
          name: 'Polluted',
          constructor: { prototype: { isAdmin: true } },
        }),
      422,
      { code: 'core.forbidden_key', field: 'constructor' },
    ],
    [
      'a prototype key',
      () => asAdmin(http().post('/api/v1/teams')).send({ name: 'Polluted', prototype: {} }),
      422,
      { code: 'core.forbidden_key', field: 'prototype' },
    ],
    [
      'a number for a string',
      () => asAdmin(http().post('/api/v1/teams')).send({ name: 42 }),
      422,
      { code: 'core.validation_failed', field: 'name' },
    ],
    [
      'a string for a boolean',
      () =>
        asAdmin(http().post('/api/v1/users')).send({
          email: 'b@example.com',
          displayName: 'B',
          superAdmin: 'yes',
        }),
      422,
      { code: 'core.validation_failed', field: 'superAdmin' },
    ],
    [
      'a string for an array',
      () =>
        asAdmin(http().post('/api/v1/users')).send({
          email: 'c@example.com',
          displayName: 'C',
          teamIds: 'all',
        }),
      422,
      { field: 'teamIds' },
    ],
    [
      'a JSON array as body',
      () => rawJson(asAdmin(http().post('/api/v1/teams')), '[{"name":"A"}]'),
      422,
      {},
    ],
    [
      'a non-numeric limit',
      () => asAdmin(http().get('/api/v1/teams')).query({ limit: 'ten' }),
      422,
      { code: 'core.validation_failed', field: 'limit' },
    ],
    [
      'a non-UUID id in the path',
      () => asAdmin(http().get('/api/v1/teams/123')),
      422,
      { code: 'core.invalid_id', field: 'teamId' },
    ],
    [
      'an SQL-looking id in the path',
      () => asAdmin(http().get("/api/v1/users/1'%20OR%20'1'='1")),
      422,
      { code: 'core.invalid_id', field: 'userId' },
    ],
    [
      'an unknown UUID',
      () => asAdmin(http().get('/api/v1/teams/0193a6c4-7f1e-7c3a-9d1e-0000000000ff')),
      404,
      { code: 'identity.team_not_found' },
    ],
    [
      'a unique violation',
      () => asAdmin(http().post('/api/v1/teams')).send({ name: 'Existing team' }),
      409,
      { code: 'identity.duplicate_name', field: 'name' },
    ],
    ['no credentials', () => http().get('/api/v1/teams'), 401, {}],
    [
      'a garbage bearer token',
      () => http().get('/api/v1/teams').auth('garbage', { type: 'bearer' }),
      401,
      {},
    ],
  ];

  describe.each(cases)('for %s', (_label, send, status, expected) => {
    let response: Response;

    beforeAll(async () => {
      response = await send();
    });

    it(`answers ${status} with the code and field`, () => {
      expectProblem(response, status, expected);
    });

    it('is an RFC 9457 problem document with a request id', () => {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      for (const member of PROBLEM_MEMBERS) {
        expect(response.body).toHaveProperty(member);
      }
      expect(typeof response.body.detail).toBe('string');
      expect(response.body.requestId).toBe(response.headers['x-request-id']);
    });

    it('reveals no stack trace or SQL', () => {
      expect(response.text).not.toMatch(LEAK);
    });

    it('carries the security headers', () => {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });

  it('does not let a __proto__ key change the prototype of anything', async () => {
    await rawJson(
      asAdmin(http().post('/api/v1/teams')),
      '{"name":"Polluter","__proto__":{"polluted":"yes"}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const teams = await asAdmin(http().get('/api/v1/teams')).query({ limit: 100 });
    expect((teams.body.results as { name: string }[]).map((t) => t.name)).not.toContain('Polluter');
  });

  it('accepts a body just under the limit', async () => {
    const response = await asAdmin(http().post('/api/v1/teams')).send({
      name: 'Within limit',
      description: 'z'.repeat(800),
    });
    expect(response.status).toBe(201);
  });

  it('echoes a well-formed X-Request-Id in the response and the problem', async () => {
    const response = await http()
      .get('/api/v1/no-such-thing')
      .set('X-Request-Id', 'client-request-0001');
    expect(response.headers['x-request-id']).toBe('client-request-0001');
    expect(response.body.requestId).toBe('client-request-0001');
  });

  it('echoes X-Request-Id on successful responses too', async () => {
    const response = await http()
      .get('/api/v1/health/live')
      .set('X-Request-Id', 'client-request-0002');
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('client-request-0002');
  });

  it('replaces a malformed X-Request-Id with a fresh one', async () => {
    const response = await http()
      .get('/api/v1/health/live')
      .set('X-Request-Id', 'bad id\twith "quotes"');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends helmet security headers and a strict CSP on API responses', async () => {
    const response = await asAdmin(http().get('/api/v1/teams'));
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'referrer-policy': 'no-referrer',
    });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.headers['content-security-policy']).not.toMatch(
      /script-src [^;]*'unsafe-inline'/,
    );
  });

  it('answers live without credentials', async () => {
    const response = await http().get('/api/v1/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers ready without credentials once the database and the file store answer', async () => {
    const response = await http().get('/api/v1/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      checks: { database: 'ok', fileStore: 'ok' },
    });
  });

  it('never logs a stack trace or SQL for client errors', () => {
    expect(server.logs.join('\n')).not.toMatch(
      /QueryFailedError|SQLITE_|violates unique constraint/,
    );
  });
});
