import type { OpenAPIObject, ParameterObject } from '@nestjs/swagger';
import { testDatabaseKinds } from '@custos/core/testing';
import { filledPath } from './support/api';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * No query string, whatever its shape, makes a read route fail (5xx): Express parses `a[]=`,
 * `a[x]=` and repeated keys into arrays and objects where a DTO expects a string. The routes
 * and their query parameters come from the running app's OpenAPI document.
 */

/** Each GET route with its path filled in and the names of its query parameters. */
function readRoutes(document: OpenAPIObject): { path: string; query: string[] }[] {
  return Object.entries(document.paths).flatMap(([template, item]) => {
    if (!item.get) {
      return [];
    }
    const query = ((item.get.parameters ?? []) as ParameterObject[])
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => parameter.name);
    return [{ path: filledPath(template, item.get), query: [...query, 'unknown'] }];
  });
}

/** Query strings that give `name` an array, an object with a prototype key, a NUL, 400 digits. */
const shapes = (name: string) => [
  `${name}[]=a&${name}[]=b`,
  `${name}[__proto__][a]=1`,
  `${name}=%00`,
  `${name}=${'9'.repeat(400)}`,
];

describe.each(testDatabaseKinds())('Query strings of any shape on %s', (kind) => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    token = await server.login();
  });

  afterAll(async () => server.close());

  it('answers every read route with no 5xx', async () => {
    const routes = readRoutes((await server.http().get('/docs-json')).body as OpenAPIObject);
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const { path, query } of routes) {
      for (const text of query.flatMap(shapes)) {
        const response = await server.http().get(`${path}?${text}`).auth(token, { type: 'bearer' });
        expect(`${path}?${text} → ${response.status}`).toMatch(/→ [234]\d\d$/);
      }
    }
  });
});
