import { readFileSync } from 'node:fs';
import type { Response, Test } from 'supertest';
import { CrmImport } from '../../src/crm/imports/import.entity';
import { newUser } from '../support/factories';
import { ADMIN_EMAIL, type TestServer } from '../support/test-server';

/** A record as the CRM API returns it. */
export interface RecordView {
  id: string;
  properties: Record<string, string | number | boolean | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** A property definition as the CRM API returns it. */
export interface PropertyView {
  name: string;
  label: string;
  groupName: string;
  description: string;
  type: string;
  options: { value: string; label: string }[];
  unique: boolean;
  required: boolean;
  standard: boolean;
  readOnly: boolean;
  formula: string | null;
  scoreRules: unknown[];
}

/** One entry of a record's property history. */
export interface HistoryView {
  property: string;
  oldValue: string | number | boolean | null;
  newValue: string | number | boolean | null;
  source: string;
  actor: { kind: string; id: string };
  changedAt: string;
}

/** An id no record has. */
export const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

/** HTTP calls as one caller (a user's access token, or an API key sent as a bearer token). */
export interface Caller {
  get(path: string, query?: Record<string, unknown>): Test;
  post(path: string, body?: object): Test;
  patch(path: string, body: object): Test;
  put(path: string): Test;
  delete(path: string, query?: Record<string, unknown>): Test;
}

export function callerOf(server: TestServer, token: string): Caller {
  const auth = (req: Test) => req.auth(token, { type: 'bearer' });
  return {
    get: (path, query = {}) => auth(server.http().get(path)).query(query),
    post: (path, body = {}) => auth(server.http().post(path)).send(body),
    patch: (path, body) => auth(server.http().patch(path)).send(body),
    put: (path) => auth(server.http().put(path)),
    delete: (path, query = {}) => auth(server.http().delete(path)).query(query),
  };
}

/** Throws with the response body unless the status is the expected one. */
export function expectStatus(response: Response, status: number): Response {
  if (response.status !== status) {
    throw new Error(
      `expected ${status}, got ${response.status}: ${JSON.stringify(response.body as unknown)}`,
    );
  }
  return response;
}

/**
 * A new user who reads the contacts they own, through a role of their own; with `condition`,
 * also a restrict rule of that role on what they read.
 */
export async function ownContactsReader(
  server: TestServer,
  admin: Caller,
  condition?: Record<string, unknown>,
): Promise<{ id: string; caller: Caller }> {
  const user = await newUser(server, await server.login());
  const role = expectStatus(
    await admin.post('/api/v1/roles', {
      name: `Own readers ${user.id}`,
      privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
      taskPrivileges: [],
    }),
    201,
  );
  if (condition) {
    expectStatus(
      await admin.post('/api/v1/record-rules', {
        name: `Rule of ${user.id}`,
        objectType: 'contacts',
        actions: ['read'],
        effect: 'restrict',
        condition,
        roleId: role.body.id,
      }),
      201,
    );
  }
  expectStatus(
    await admin.post(`/api/v1/roles/${role.body.id}/assignments`, {
      principalType: 'user',
      principalId: user.id,
    }),
    201,
  );
  return { id: user.id, caller: callerOf(server, user.token) };
}

/** Creates a record through the API and returns it. */
export async function createRecord(
  caller: Caller,
  objectType: string,
  properties: Record<string, unknown>,
): Promise<RecordView> {
  return expectStatus(await caller.post(`/api/v1/objects/${objectType}`, { properties }), 201)
    .body as RecordView;
}

/** Creates records with batch create (in chunks of 100) and returns them in input order. */
export async function createRecords(
  caller: Caller,
  objectType: string,
  inputs: Record<string, unknown>[],
): Promise<RecordView[]> {
  const created: RecordView[] = [];
  for (let start = 0; start < inputs.length; start += 100) {
    const response = await caller.post(`/api/v1/objects/${objectType}/batch/create`, {
      inputs: inputs.slice(start, start + 100).map((properties) => ({ properties })),
    });
    created.push(...(expectStatus(response, 201).body.results as RecordView[]));
  }
  return created;
}

/** Creates a custom property through the API and returns it. */
export async function createProperty(
  caller: Caller,
  objectType: string,
  definition: Record<string, unknown>,
): Promise<PropertyView> {
  return expectStatus(await caller.post(`/api/v1/properties/${objectType}`, definition), 201)
    .body as PropertyView;
}

/** A name unique within this test run, usable as a property or segment name. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

/** The CRM tables that could hold a sensitive value, for canary checks. */
export const CRM_VALUE_TABLES = [
  'crm_contact',
  'crm_property_history',
  'audit_event',
  'crm_blind_index',
  'crm_unique_value',
] as const;

/**
 * Every text of the rows of `tables` and, on SQLite, of the database file itself (after a WAL
 * checkpoint): where a canary must never be found.
 */
export async function rawDatabaseText(
  server: TestServer,
  tables: readonly string[] = CRM_VALUE_TABLES,
): Promise<string> {
  const parts: string[] = [];
  for (const table of tables) {
    parts.push(JSON.stringify(await server.dataSource.query(`SELECT * FROM ${table}`)));
  }
  if (server.kind === 'sqlite') {
    await server.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
    const file = (server.dataSource.options as { database: string }).database;
    parts.push(readFileSync(file).toString('latin1'));
  }
  return parts.join('\n');
}

/**
 * The row a crash leaves mid-import: `running`, the first `processedRows` rows applied (counted as
 * created), started by the server's admin. The caller puts its file in place.
 */
export async function insertInterruptedImport(
  server: TestServer,
  adminToken: string,
  fields: { id: string; mapping: Record<string, string>; totalRows: number; processedRows: number },
): Promise<void> {
  const me = await server.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' });
  const actorId = (me.body as { actor: { id: string } }).actor.id;
  const now = new Date();
  await server.dataSource.getRepository(CrmImport).insert({
    ...fields,
    accountId: server.accountId,
    objectType: 'contacts',
    mode: 'create',
    uniqueProperty: null,
    fileName: 'resume.csv',
    fileBytes: 100,
    status: 'running',
    rowsCreated: fields.processedRows,
    rowsUpdated: 0,
    rowsUnchanged: 0,
    rowsFailed: 0,
    actor: {
      kind: 'user',
      id: actorId,
      userId: actorId,
      label: ADMIN_EMAIL,
      superAdmin: true,
    },
    error: null,
    createdAt: now,
    updatedAt: now,
    startedAt: now,
    finishedAt: null,
  });
}
