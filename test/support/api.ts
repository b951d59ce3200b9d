import type { OperationObject, ParameterObject } from '@nestjs/swagger';
import type { Response } from 'supertest';
import type { TestServer } from './test-server';

/** One audit event as `GET /api/v1/audit-log` returns it (the fields the suites look at). */
export interface AuditEventView {
  seq: number;
  action: string;
  targetType: string | null;
  targetId: string | null;
  actor: { kind: string; id: string; label: string };
  metadata: Record<string, unknown>;
}

/** Asserts an RFC 9457 problem response with this status, and optionally its code and offending field. */
export function expectProblem(
  response: Response,
  status: number,
  expected: { code?: string; field?: string } = {},
): void {
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({
    status,
    body: { status, ...(expected.code ? { code: expected.code } : {}) },
  });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (expected.field !== undefined) {
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: expected.field })]),
    );
  }
}

/** Audit events of the token's account matching the filters, newest first. */
export async function auditEvents(
  server: TestServer,
  token: string,
  filters: { action?: string; targetId?: string; targetType?: string } = {},
): Promise<AuditEventView[]> {
  const response = await server
    .http()
    .get('/api/v1/audit-log')
    .query({ ...filters, limit: 100 })
    .auth(token, { type: 'bearer' });
  if (response.status !== 200) {
    throw new Error(
      `reading the audit log failed: ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return (response.body as { results: AuditEventView[] }).results;
}

/** Sequence number of the newest audit event of the token's account (0 when there is none). */
export async function auditHead(server: TestServer, token: string): Promise<number> {
  const response = await server
    .http()
    .get('/api/v1/audit-log')
    .query({ limit: 1 })
    .auth(token, { type: 'bearer' });
  if (response.status !== 200) {
    throw new Error(
      `reading the audit log failed: ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return (response.body as { results: AuditEventView[] }).results[0]?.seq ?? 0;
}

/** Walks a cursor-paginated list to its end, returning every page's results in order. */
export async function walkPages<T>(
  fetchPage: (after: string | undefined) => Promise<Response>,
  maxPages = 50,
): Promise<{ pages: T[][] }> {
  const pages: T[][] = [];
  let after: string | undefined;
  for (let i = 0; i < maxPages; i += 1) {
    const response = await fetchPage(after);
    if (response.status !== 200) {
      throw new Error(
        `fetching a page failed: ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    const body = response.body as { results: T[]; paging: { next?: { after: string } } };
    pages.push(body.results);
    after = body.paging.next?.after;
    if (after === undefined) {
      return { pages };
    }
  }
  throw new Error(`the list did not end within ${maxPages} pages`);
}

/** Creates a second account with the Demo admin as its super admin; returns its id and a token for it. */
export async function newAccount(
  server: TestServer,
  adminToken: string,
  name: string,
  credentials: { email: string; password: string },
): Promise<{ accountId: string; token: string }> {
  const created = await server
    .http()
    .post('/api/v1/accounts')
    .auth(adminToken, { type: 'bearer' })
    .send({ name });
  if (created.status !== 201) {
    throw new Error(
      `creating account ${name} failed: ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  const accountId = (created.body as { id: string }).id;
  return {
    accountId,
    token: await server.login(credentials.email, credentials.password, accountId),
  };
}

/** An id that names nothing. */
const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

/**
 * `template` (an OpenAPI path) with `operation`'s path parameters filled: an enumeration's first
 * value, `firstname` for a property name, else an id that names nothing.
 */
export function filledPath(template: string, operation: OperationObject): string {
  return ((operation.parameters ?? []) as ParameterObject[])
    .filter((parameter) => parameter.in === 'path')
    .reduce((filled, parameter) => {
      const schema = parameter.schema as { enum?: string[] } | undefined;
      const value = schema?.enum?.[0] ?? (parameter.name === 'name' ? 'firstname' : UNKNOWN_ID);
      return filled.replace(`{${parameter.name}}`, value);
    }, template);
}
