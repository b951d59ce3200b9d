import { createHash } from 'node:crypto';
import type { Caller } from '../access/access-support';
import { expectStatus } from '../access/access-support';
import type { TestServer } from './test-server';

/** An export as `GET /api/v1/exports/{id}` returns it (the fields the suites look at). */
export interface ExportView {
  id: string;
  state: string;
  format: string;
  sensitive: boolean;
  rowsDone: number;
  rowsTotal: number;
  requester: { kind: string; id: string; userId: string | null; label: string };
  approvalId: string | null;
  decidedByUserId: string | null;
  reason: string | null;
  sha256: string | null;
  downloads: number;
  errorCode: string | null;
}

/** States an export no longer leaves by itself. */
const SETTLED = new Set(['done', 'failed', 'cancelled', 'rejected', 'revoked', 'expired']);

/** A records export of contacts: the body of `POST /api/v1/exports`. */
export function contactsExport(
  properties: string[],
  fields: {
    format?: string;
    filterGroups?: unknown[];
    notify?: string[];
    message?: string;
  } = {},
): object {
  return {
    source: 'records',
    format: fields.format ?? 'csv',
    selection: { objectType: 'contacts', filterGroups: fields.filterGroups ?? [] },
    properties,
    ...(fields.notify ? { notify: fields.notify } : {}),
    ...(fields.message ? { message: fields.message } : {}),
  };
}

/** A property-history export of contacts (all the caller may export, or the named records). */
export function historyExport(properties: string[], recordIds?: string[], format = 'csv'): object {
  return {
    source: 'history',
    format,
    selection: { objectType: 'contacts', ...(recordIds ? { recordIds } : {}) },
    properties,
  };
}

/** A records export of a saved segment (its filter selects the records). */
export function segmentExport(segmentId: string, properties: string[], format = 'csv'): object {
  return {
    source: 'records',
    format,
    selection: { objectType: 'contacts', segmentId },
    properties,
  };
}

/** Asks for an export; returns the 202 response's export (its `Location` checked). */
export async function requestExport(caller: Caller, body: object): Promise<ExportView> {
  const response = expectStatus(await caller.post('/api/v1/exports', body), 202);
  const created = response.body as ExportView;
  expect(response.headers.location).toBe(`/api/v1/exports/${created.id}`);
  return created;
}

/** Polls the export (the server's own job queue runs it) until it settles, and returns it. */
export async function waitForExport(
  caller: Caller,
  id: string,
  timeoutMs = 30_000,
): Promise<ExportView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = expectStatus(await caller.get(`/api/v1/exports/${id}`), 200).body as ExportView;
    if (SETTLED.has(view.state) || Date.now() > deadline) {
      return view;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `GET …/file` with the body kept as bytes (a problem response as JSON). */
export function downloadExport(server: TestServer, token: string, id: string) {
  return server
    .http()
    .get(`/api/v1/exports/${id}/file`)
    .auth(token, { type: 'bearer' })
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        // Problems stay JSON, for the suites' problem assertions.
        const problem = /json/.test(String(response.headers['content-type']));
        done(null, problem ? JSON.parse(bytes.toString('utf8')) : bytes);
      });
    });
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The rows of an RFC 4180 CSV (BOM dropped), header first. */
export function parseCsv(bytes: Buffer): string[][] {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += char;
    }
  }
  return rows;
}

/** A caller with the token behind it (the download route takes the token itself). */
export interface ExportingUser {
  token: string;
  caller: Caller;
}

/** Asks for an export as `user`, waits until it is done and downloads its file. */
export async function exportedFile(
  server: TestServer,
  user: ExportingUser,
  body: object,
): Promise<{ done: ExportView; bytes: Buffer }> {
  const created = await requestExport(user.caller, body);
  expect(created.state).toBe('queued');
  const done = await waitForExport(user.caller, created.id);
  expect(done).toMatchObject({ state: 'done', rowsDone: done.rowsTotal });
  const response = expectStatus(await downloadExport(server, user.token, created.id), 200);
  return { done, bytes: response.body as Buffer };
}

/** A cell as a CSV export writes it and as the tests compare it: `null` is empty. */
export function cellText(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The CSV's data rows by their first column (the record id), with formula neutralising undone. */
export function csvRowsById(bytes: Buffer, header: string[]): Map<string, string[]> {
  const [first, ...rows] = parseCsv(bytes);
  expect(first).toEqual(header);
  return new Map(
    rows.map(([id, ...cells]) => [id, cells.map((cell) => cell.replace(/^'(?=[=+\-@])/, ''))]),
  );
}

/** What the caller's contact search returns for the filter, as cells per property, by record id. */
export async function searchedRows(
  caller: Caller,
  properties: string[],
  filterGroups: unknown[],
): Promise<Map<string, string[]>> {
  const response = expectStatus(
    await caller.post('/api/v1/objects/contacts/search', { filterGroups, properties, limit: 100 }),
    200,
  );
  const { results } = response.body as {
    results: { id: string; properties: Record<string, string | number | boolean | null> }[];
  };
  return new Map(
    results.map((record) => [
      record.id,
      properties.map((name) => cellText(record.properties[name])),
    ]),
  );
}

/**
 * Number of export runs queued (what a refused request must leave unchanged); other jobs, such as
 * schedules the server enqueues by its clock, come and go beside the test.
 */
export async function jobCount(server: TestServer): Promise<number> {
  const [row] = await server.dataSource.query<{ n: string | number }[]>(
    "SELECT COUNT(*) AS n FROM custos_job WHERE name = 'exports.run'",
  );
  return Number(row.n);
}

/** Number of exports kept, of every account (what a refused request must leave unchanged). */
export async function exportCount(server: TestServer): Promise<number> {
  const [row] = await server.dataSource.query<{ n: string | number }[]>(
    'SELECT COUNT(*) AS n FROM custos_export',
  );
  return Number(row.n);
}

/** Number of jobs queued for one export (its id is the job's idempotency key). */
export async function jobsOf(server: TestServer, exportId: string): Promise<number> {
  const [row] = await server.dataSource.query<{ n: string | number }[]>(
    `SELECT COUNT(*) AS n FROM custos_job WHERE idempotency_key LIKE ${placeholder(server, 1)}`,
    [`%${exportId}`],
  );
  return Number(row.n);
}

/** The n-th query parameter in the server's SQL dialect. */
export function placeholder(server: TestServer, n: number): string {
  return server.kind === 'postgres' ? `$${n}` : '?';
}
