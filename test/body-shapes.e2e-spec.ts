import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, auditHead, expectProblem, filledPath } from './support/api';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Issue 11, item 9: no request body, whatever its shape, makes a write route fail (5xx) or write
 * anything when it is refused. The routes come from the running app's OpenAPI document, so a
 * route added later is covered without touching this suite.
 */

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;

interface WriteRoute {
  method: (typeof WRITE_METHODS)[number];
  /** The path with its parameters filled in. */
  path: string;
  /** Whether the route reads a request body. */
  takesBody: boolean;
}

/** Every write route of the document, parameters filled with values that name nothing real. */
function writeRoutes(document: OpenAPIObject): WriteRoute[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    WRITE_METHODS.flatMap((method) => {
      const operation = item[method];
      if (!operation) {
        return [];
      }
      const path = filledPath(template, operation);
      return [{ method, path, takesBody: operation.requestBody !== undefined }];
    }),
  );
}

/** `levels` arrays or objects nested in one another, as JSON text, under `key` when given. */
function nestedText(levels: number, kind: 'array' | 'object', key: string): string {
  const inner =
    kind === 'array'
      ? '['.repeat(levels) + ']'.repeat(levels)
      : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  return key === '' ? inner : `{${JSON.stringify(key)}:${inner}}`;
}

/** Keys that DTOs use, that could pollute prototypes, or that are odd in size or content. */
const oddKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    'properties',
    'inputs',
    'filterGroups',
    'name',
    'email',
    'firstname',
    'a'.repeat(500),
  ),
  fc.string({ maxLength: 12 }),
);

/** An object as JSON text, keys written as they are (`__proto__` stays an own key). */
const objectText = (values: fc.Arbitrary<unknown>) =>
  fc
    .array(fc.tuple(oddKey, values), { maxLength: 6 })
    .map(
      (entries) =>
        `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`,
    );

interface Body {
  text: string;
}

/** A body whose counterexample prints as `label` (or its text, cut short) rather than in full. */
function body(text: string, label = text.length > 200 ? `${text.slice(0, 200)}…` : text): Body {
  return { text, [fc.toStringMethod]: () => label } as Body;
}

const bodies: fc.Arbitrary<Body> = fc
  .oneof(
    fc
      .record({
        levels: fc.integer({ min: 2, max: 2_500 }),
        kind: fc.constantFrom('array' as const, 'object' as const),
        key: fc.constantFrom('', 'properties', 'inputs', 'filterGroups', 'fields', 'privileges'),
      })
      .map(({ levels, kind, key }) =>
        body(nestedText(levels, kind, key), `${levels} nested ${kind}s under "${key}"`),
      ),
    fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
    objectText(fc.jsonValue({ maxDepth: 4 })),
    objectText(fc.jsonValue({ maxDepth: 3 })).map((text) => `{"properties":${text}}`),
    fc
      .array(objectText(fc.jsonValue({ maxDepth: 2 })), { maxLength: 120 })
      .map((items) => `{"inputs":[${items.map((text) => `{"properties":${text}}`).join(',')}]}`),
    fc
      .string({ minLength: 1_000, maxLength: 20_000 })
      .map((text) => JSON.stringify({ name: text })),
  )
  .map((value) => (typeof value === 'string' ? body(value) : value));

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe.each(testDatabaseKinds())('Request bodies of any shape on %s', (kind) => {
  let server: TestServer;
  let token: string;
  let routes: WriteRoute[];

  function send(route: WriteRoute, body: string) {
    const http = server.http();
    return http[route.method](route.path)
      .auth(token, { type: 'bearer' })
      .set('X-Operator-Token', OPERATOR_TOKEN)
      .set('Content-Type', 'application/json')
      .send(body);
  }

  /**
   * Audit events after `head` other than those of background jobs, which a route accepted
   * earlier in the run may have started (a key rotation finishing, say).
   */
  async function writtenSince(head: number): Promise<string[]> {
    return (await auditEvents(server, token))
      .filter((event) => event.seq > head && event.actor.kind !== 'system')
      .map((event) => event.action);
  }

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_OPERATOR_TOKEN: OPERATOR_TOKEN } });
    token = await server.login();
    routes = writeRoutes((await server.http().get('/docs-json')).body as OpenAPIObject);
  });

  afterAll(async () => server.close());

  it('finds the write routes in the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(45);
  });

  it.each(['array', 'object'] as const)(
    'refuses a body of 5,000 nested %ss on every write route: 400 naming the limit, nothing written',
    async (nesting) => {
      const head = await auditHead(server, token);
      for (const route of routes) {
        const response = await send(route, nestedText(5_000, nesting, 'properties'));
        expect({ route, status: response.status }).toEqual({ route, status: 400 });
        if (route.path.startsWith('/scim/v2/')) {
          // SCIM clients get the protocol's own error schema (RFC 7644 §3.12).
          expect(response.body).toMatchObject({ schemas: [SCIM_ERROR], status: '400' });
          continue;
        }
        expectProblem(response, 400, { code: 'core.body_too_deep' });
        expect(response.body.limit).toBe(32);
      }
      // A key rotation accepted by another test of this file may finish meanwhile (as `system`).
      expect(await writtenSince(head)).toEqual([]);
    },
  );

  it('refuses lists of lists, lists where objects belong and NUL characters, on every route with a body', async () => {
    const head = await auditHead(server, token);
    const lists = ['inputs', 'filterGroups', 'sorts', 'privileges', 'options', 'scoreRules'];
    lists.push('fields', 'consents', 'view', 'edit');
    const shapes = [
      ...lists.flatMap((key) => [`{"${key}":[[]]}`, `{"${key}":[1]}`]),
      '{"inputs":[[{}]]}',
      ...['selection', 'sensitivity', 'properties'].map((key) => `{"${key}":[[]]}`),
      '{"filterGroups":[{"filters":[[]]}]}',
      // PostgreSQL's text cannot hold a NUL: refused alike on both databases, never a failed query.
      '{"name":"a\\u0000"}',
      '{"properties":{"email":"a\\u0000@example.com"}}',
      '{"filterGroups":[{"filters":[{"propertyName":"email","operator":"eq","value":"\\u0000"}]}]}',
    ];
    for (const route of routes.filter((route) => route.takesBody)) {
      for (const text of shapes) {
        const response = await send(route, text);
        const answer = `${route.method} ${route.path} ${text} → ${response.status}`;
        expect(answer).toMatch(/→ 4\d\d$/);
      }
    }
    expect(await writtenSince(head)).toEqual([]);
  });

  it('answers every write route with no 5xx, and writes nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }),
        bodies,
        async (index, { text }) => {
          const route = routes[index];
          const head = await auditHead(server, token);
          const response = await send(route, text);
          expect({ route, status: response.status < 500 }).toEqual({ route, status: true });
          if (response.status >= 400) {
            expect({ route, written: await writtenSince(head) }).toEqual({ route, written: [] });
          } else if (route.path.endsWith('/sign-out-everywhere')) {
            token = await server.login();
          }
        },
      ),
      // Shrinking over HTTP would take minutes; the first failing route and body say enough.
      { numRuns: 200, endOnFailure: true },
    );
  });
});
