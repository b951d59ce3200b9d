import type { Response, Test } from 'supertest';
import { newUser, type CreatedUser } from '../support/factories';
import type { TestServer } from '../support/test-server';

/** A record as the CRM API returns it. */
export interface RecordView {
  id: string;
  properties: Record<string, string | number | boolean | null>;
  redacted: string[];
  archived: boolean;
}

/** A role privilege as the roles API takes it. */
export interface PrivilegeInput {
  objectType: string;
  action: string;
  level: string;
}

/** A role as the roles API returns it. */
export interface RoleView {
  id: string;
  name: string;
  description: string;
  privileges: PrivilegeInput[];
  taskPrivileges: string[];
}

/** An id nothing has. */
export const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

/** HTTP calls as one caller: a user's access token, an API key (as bearer), or nobody. */
export interface Caller {
  get(path: string, query?: Record<string, unknown>): Test;
  post(path: string, body?: object): Test;
  put(path: string, body?: object): Test;
  patch(path: string, body?: object): Test;
  delete(path: string, query?: Record<string, unknown>): Test;
  /** A POST without a body yet, for multipart uploads. */
  upload(path: string): Test;
}

export function callerOf(server: TestServer, token: string | null): Caller {
  const auth = (req: Test) => (token === null ? req : req.auth(token, { type: 'bearer' }));
  return {
    get: (path, query = {}) => auth(server.http().get(path)).query(query),
    post: (path, body = {}) => auth(server.http().post(path)).send(body),
    put: (path, body = {}) => auth(server.http().put(path)).send(body),
    patch: (path, body = {}) => auth(server.http().patch(path)).send(body),
    delete: (path, query = {}) => auth(server.http().delete(path)).query(query),
    upload: (path) => auth(server.http().post(path)),
  };
}

/** Returns the response, or throws with its body unless the status is the expected one. */
export function expectStatus(response: Response, status: number): Response {
  if (response.status !== status) {
    const request = (response as unknown as { req?: { method?: string; path?: string } }).req;
    throw new Error(
      `${request?.method ?? ''} ${request?.path ?? ''}: expected ${status}, got ${response.status}: ${JSON.stringify(response.body as unknown)}`,
    );
  }
  return response;
}

let sequence = 0;

/** A name unique within this test run. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${Date.now().toString(36)}-${sequence}`;
}

/** A unique email address for a contact. */
export function contactEmail(prefix = 'contact'): string {
  return `${unique(prefix)}@contacts.example.com`;
}

/** Admin-side set-up through the API: teams, business units, users, roles, rules, records. */
export class Setup {
  readonly admin: Caller;

  constructor(
    readonly server: TestServer,
    readonly adminToken: string,
  ) {
    this.admin = callerOf(server, adminToken);
  }

  async team(name = unique('team')): Promise<string> {
    return (
      expectStatus(await this.admin.post('/api/v1/teams', { name }), 201).body as {
        id: string;
      }
    ).id;
  }

  async addToTeam(teamId: string, userIds: string[]): Promise<void> {
    const response = await this.admin.post(`/api/v1/teams/${teamId}/members`, { userIds });
    if (response.status !== 200 && response.status !== 201) {
      expectStatus(response, 200);
    }
  }

  async removeFromTeam(teamId: string, userId: string): Promise<void> {
    expectStatus(await this.admin.delete(`/api/v1/teams/${teamId}/members/${userId}`), 204);
  }

  async businessUnit(name = unique('unit'), parentId?: string): Promise<string> {
    return (
      expectStatus(await this.admin.post('/api/v1/business-units', { name, parentId }), 201)
        .body as { id: string }
    ).id;
  }

  async user(
    fields: { superAdmin?: boolean; teamIds?: string[]; businessUnitId?: string } = {},
  ): Promise<CreatedUser> {
    return newUser(this.server, this.adminToken, fields);
  }

  async role(
    body: { name?: string; privileges?: PrivilegeInput[]; taskPrivileges?: string[] },
    as: Caller = this.admin,
  ): Promise<RoleView> {
    return expectStatus(
      await as.post('/api/v1/roles', {
        name: body.name ?? unique('role'),
        privileges: body.privileges ?? [],
        taskPrivileges: body.taskPrivileges ?? [],
      }),
      201,
    ).body as RoleView;
  }

  async assign(
    roleId: string,
    principalType: 'user' | 'team',
    principalId: string,
    as: Caller = this.admin,
  ): Promise<string> {
    return (
      expectStatus(
        await as.post(`/api/v1/roles/${roleId}/assignments`, { principalType, principalId }),
        201,
      ).body as { id: string }
    ).id;
  }

  /** A user holding a new role with these privileges. */
  async userWithRole(
    role: { privileges?: PrivilegeInput[]; taskPrivileges?: string[] },
    fields: { teamIds?: string[]; businessUnitId?: string } = {},
  ): Promise<CreatedUser & { roleId: string; caller: Caller }> {
    const user = await this.user(fields);
    const created = await this.role(role);
    await this.assign(created.id, 'user', user.id);
    return { ...user, roleId: created.id, caller: callerOf(this.server, user.token) };
  }

  /** A new team, a member of it (`mate`), and a member reading contacts at team level (`reader`). */
  async teamReader(): Promise<{
    team: string;
    mate: CreatedUser;
    reader: CreatedUser & { roleId: string; caller: Caller };
  }> {
    const team = await this.team();
    const mate = await this.user({ teamIds: [team] });
    const reader = await this.userWithRole(
      { privileges: [{ objectType: 'contacts', action: 'read', level: 'team' }] },
      { teamIds: [team] },
    );
    return { team, mate, reader };
  }

  async rule(body: {
    name?: string;
    objectType?: string;
    actions?: string[];
    effect?: 'restrict' | 'deny';
    roleId?: string;
    condition: Record<string, unknown>;
  }): Promise<string> {
    return (
      expectStatus(
        await this.admin.post('/api/v1/record-rules', {
          name: body.name ?? unique('rule'),
          objectType: body.objectType ?? 'contacts',
          actions: body.actions ?? ['read'],
          effect: body.effect ?? 'restrict',
          roleId: body.roleId,
          condition: body.condition,
        }),
        201,
      ).body as { id: string }
    ).id;
  }

  async deleteRule(id: string): Promise<void> {
    expectStatus(await this.admin.delete(`/api/v1/record-rules/${id}`), 204);
  }

  async fieldPermissions(
    objectType: string,
    property: string,
    lists: { view?: { type: string; id?: string }[]; edit?: { type: string; id?: string }[] },
  ): Promise<void> {
    expectStatus(
      await this.admin.put(`/api/v1/properties/${objectType}/${property}/permissions`, {
        view: lists.view ?? [],
        edit: lists.edit ?? [],
      }),
      200,
    );
  }

  async record(
    properties: Record<string, unknown>,
    objectType = 'contacts',
    as: Caller = this.admin,
  ): Promise<RecordView> {
    return expectStatus(await as.post(`/api/v1/objects/${objectType}`, { properties }), 201)
      .body as RecordView;
  }

  async contact(properties: Record<string, unknown> = {}, as: Caller = this.admin) {
    return this.record({ email: contactEmail(), ...properties }, 'contacts', as);
  }
}

/** The id of the person behind a caller (for an API key: its creator). */
export async function personId(caller: Caller): Promise<string> {
  const me = expectStatus(await caller.get('/api/v1/me'), 200).body as { user?: { id: string } };
  if (!me.user) {
    throw new Error('the caller has no person behind it');
  }
  return me.user.id;
}

/** Every record of `objectType` the caller may list, walking all pages. */
export async function listAll(caller: Caller, objectType = 'contacts'): Promise<RecordView[]> {
  const results: RecordView[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const response = expectStatus(
      await caller.get(`/api/v1/objects/${objectType}`, { limit: 100, after }),
      200,
    );
    const body = response.body as { results: RecordView[]; paging: { next?: { after: string } } };
    results.push(...body.results);
    after = body.paging.next?.after;
    if (after === undefined) {
      return results;
    }
  }
  throw new Error('the list did not end');
}
