import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from './support/test-server';

interface SchemaObject {
  $ref?: string;
  type?: string;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  allOf?: SchemaObject[];
  example?: unknown;
  examples?: unknown;
}

interface MediaType {
  schema?: SchemaObject;
}

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject>; securitySchemes?: Record<string, unknown> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Routes anyone may call without credentials. */
const PUBLIC_ROUTES = new Set([
  'post /api/v1/auth/login',
  'post /api/v1/forms/{formId}/submissions',
  'get /api/v1/health/live',
  'get /api/v1/health/ready',
  // Links in mails: the signed token is the credential (issue 17); the webhook signs its body.
  'get /api/v1/consent/unsubscribe',
  'post /api/v1/consent/unsubscribe',
  'get /api/v1/consent/preferences',
  'post /api/v1/consent/preferences',
  'get /api/v1/consent/confirm',
  'post /api/v1/consent/confirm',
  'post /api/v1/consent/bounces/webhook',
  // The data subject's own privacy request and its mailed code (issue 18).
  'post /api/v1/public/privacy-requests',
  'post /api/v1/public/privacy-requests/verify',
  // The single-use link to an access package: the mailed token is the credential (issue 18).
  'get /api/v1/public/privacy-packages/{token}',
]);

/**
 * Routes of the platform operator: not for account users, so no bearer or API key. They are
 * `@Public()` to the user authentication guard and demand the operator token instead.
 */
function isOperatorRoute(name: string): boolean {
  return /^[a-z]+ \/api\/v1\/operator\//.test(name);
}

/**
 * SCIM 2.0 routes (RFC 7644): a provisioning token instead of bearer or API key, and errors in
 * the SCIM error schema, 400 for invalid values, as identity providers expect.
 */
function isScimRoute(name: string): boolean {
  return /^[a-z]+ \/scim\/v2\//.test(name);
}

/** Routes that follow the REST API's conventions (problem details, 422, bearer or API key). */
function isRestRoute(name: string): boolean {
  return !isOperatorRoute(name) && !isScimRoute(name);
}

function schemaName(ref: string): string {
  return ref.replace('#/components/schemas/', '');
}

/** Each operation of the document as `method path`. */
function operationsOf(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method): [string, Operation] => [
      `${method} ${path}`,
      item[method],
    ]),
  );
}

/** Names of the component schemas reachable from the request bodies (following $refs). */
function requestBodySchemas(doc: OpenApiDocument): Set<string> {
  const seen = new Set<string>();
  const visit = (schema: SchemaObject | undefined): void => {
    if (!schema) {
      return;
    }
    if (schema.$ref) {
      const name = schemaName(schema.$ref);
      if (!seen.has(name)) {
        seen.add(name);
        visit(doc.components.schemas[name]);
      }
      return;
    }
    visit(schema.items);
    schema.allOf?.forEach(visit);
    Object.values(schema.properties ?? {}).forEach(visit);
  };
  for (const [, operation] of operationsOf(doc)) {
    for (const media of Object.values(operation.requestBody?.content ?? {})) {
      visit(media.schema);
    }
  }
  return seen;
}

/** A property is documented by example when it has one, or when it is (an array of) a documented schema. */
function hasExample(property: SchemaObject): boolean {
  if (
    property.example !== undefined ||
    property.examples !== undefined ||
    property.$ref !== undefined
  ) {
    return true;
  }
  if (property.allOf?.length === 1 && property.allOf[0].$ref) {
    return true;
  }
  return property.type === 'array' && property.items?.$ref !== undefined;
}

describe.each(testDatabaseKinds())('OpenAPI document on %s', (kind) => {
  let server: TestServer;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const response = await server.http().get('/docs-json');
    expect(response.status).toBe(200);
    doc = response.body as OpenApiDocument;
  });

  afterAll(async () => {
    await server.close();
  });

  it('documents the identity, audit and health routes', () => {
    const operations = operationsOf(doc).map(([name]) => name);
    expect(operations).toEqual(
      expect.arrayContaining([
        'post /api/v1/auth/login',
        'get /api/v1/users',
        'patch /api/v1/users/{userId}',
        'post /api/v1/teams/{teamId}/members',
        'patch /api/v1/business-units/{businessUnitId}',
        'post /api/v1/api-keys',
        'get /api/v1/accounts',
        'get /api/v1/me',
        'get /api/v1/audit-log',
        'get /api/v1/health/ready',
      ]),
    );
  });

  it('names every DTO once: two classes of one name would share one schema', () => {
    expect(server.logs.join('\n')).not.toContain('Duplicate DTO');
  });

  it('declares the bearer and API-key security schemes', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      'operator-token': { type: 'apiKey', in: 'header', name: 'X-Operator-Token' },
    });
  });

  it('gives every operation a summary', () => {
    const missing = operationsOf(doc)
      .filter(([, op]) => !op.summary?.trim())
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('documents at least one 2xx response for every operation', () => {
    const missing = operationsOf(doc)
      .filter(([, op]) => !Object.keys(op.responses ?? {}).some((status) => /^2\d\d$/.test(status)))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('lists bearer security and a 401 response on every non-public operation', () => {
    const missing = operationsOf(doc)
      .filter(([name]) => !PUBLIC_ROUTES.has(name) && isRestRoute(name))
      .filter(
        ([, op]) =>
          !op.security?.some((requirement) => 'bearer' in requirement) || !op.responses?.['401'],
      )
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('lists only the operator token and a 401 on operator operations', () => {
    const operator = operationsOf(doc).filter(([name]) => isOperatorRoute(name));
    expect(operator.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'get /api/v1/operator/accounts/{accountId}',
        'patch /api/v1/operator/accounts/{accountId}',
      ]),
    );
    const wrong = operator
      .filter(
        ([, op]) =>
          JSON.stringify(op.security) !== JSON.stringify([{ 'operator-token': [] }]) ||
          !op.responses?.['401'],
      )
      .map(([name]) => name);
    expect(wrong).toEqual([]);
  });

  it('lists no security requirement on public operations', () => {
    const secured = operationsOf(doc)
      .filter(([name, op]) => PUBLIC_ROUTES.has(name) && (op.security?.length ?? 0) > 0)
      .map(([name]) => name);
    expect(secured).toEqual([]);
  });

  it('lists only the provisioning token, a 401 and SCIM error bodies on SCIM operations', () => {
    const scim = operationsOf(doc).filter(([name]) => isScimRoute(name));
    expect(scim.length).toBeGreaterThanOrEqual(13);
    const wrong = scim.flatMap(([name, op]) => [
      ...(JSON.stringify(op.security) !== JSON.stringify([{ 'provisioning-token': [] }]) ||
      !op.responses?.['401']
        ? [`${name} security`]
        : []),
      ...Object.entries(op.responses ?? {})
        .filter(([status]) => /^[45]\d\d$/.test(status))
        .filter(([, response]) => !response.content?.['application/scim+json'])
        .map(([status]) => `${name} ${status}`),
      ...(op.requestBody && !op.requestBody.content?.['application/scim+json']?.schema
        ? [`${name} body`]
        : []),
    ]);
    expect(wrong).toEqual([]);
  });

  it('documents every error response as application/problem+json', () => {
    const wrong = operationsOf(doc)
      .filter(([name]) => !isScimRoute(name))
      .flatMap(([name, op]) =>
        Object.entries(op.responses ?? {})
          .filter(([status]) => /^[45]\d\d$/.test(status))
          .filter(
            ([, response]) =>
              response.content?.['application/problem+json']?.schema?.$ref !==
              '#/components/schemas/ProblemDetailsDto',
          )
          .map(([status]) => `${name} ${status}`),
      );
    expect(wrong).toEqual([]);
  });

  it('documents 422 on every operation that takes a body, a path id or a query', () => {
    const missing = operationsOf(doc)
      .filter(([name]) => !isScimRoute(name))
      .filter(([name, op]) => op.requestBody !== undefined || name.includes('{'))
      .filter(([, op]) => !op.responses?.['422'])
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('gives every request body a schema (JSON, or multipart for uploads)', () => {
    const missing = operationsOf(doc)
      .filter(([name, op]) => op.requestBody !== undefined && !isScimRoute(name))
      .filter(
        ([, op]) =>
          !['application/json', 'multipart/form-data'].some(
            (type) => op.requestBody?.content?.[type]?.schema?.$ref !== undefined,
          ),
      )
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('gives every property of request-body schemas an example', () => {
    const schemas = [...requestBodySchemas(doc)];
    expect(schemas.length).toBeGreaterThan(0);
    const missing = schemas.flatMap((name) =>
      Object.entries(doc.components.schemas[name]?.properties ?? {})
        .filter(([, property]) => !hasExample(property))
        .map(([property]) => `${name}.${property}`),
    );
    expect(missing).toEqual([]);
  });

  it('serves the Swagger UI as HTML with a CSP that lets it run', async () => {
    const response = await server.http().get('/docs/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('swagger-ui');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).not.toContain("script-src 'none'");
    expect(csp).toMatch(/script-src [^;]*'self'/);
    expect(csp).toMatch(/style-src [^;]*'unsafe-inline'/);
  });

  it('serves the Swagger UI at /docs without a trailing slash', async () => {
    const response = await server.http().get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(String(response.headers['content-security-policy'])).not.toContain("script-src 'none'");
  });

  it('serves the Swagger UI scripts the page loads', async () => {
    const page = await server.http().get('/docs/');
    const scripts = [...page.text.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const url = src.startsWith('/') ? src : `/docs/${src.replace(/^\.\//, '')}`;
      const script = await server.http().get(url);
      expect({ url, status: script.status }).toEqual({ url, status: 200 });
    }
  });
});
