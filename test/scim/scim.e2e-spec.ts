import type { Response, Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from '../support/api';
import { newUser, uniqueEmail, USER_PASSWORD } from '../support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';

const SCIM = 'application/scim+json';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Asserts a SCIM error (RFC 7644 §3.12): status as a string, optional scimType. */
function expectScimError(response: Response, status: number, scimType?: string): void {
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({
    status,
    body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}) },
  });
  expect(typeof response.body.detail).toBe('string');
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
}

describe.each(testDatabaseKinds())('SCIM 2.0 on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let adminId: string;
  let scimToken: string;
  let other: { accountId: string; token: string; scimToken: string };

  const http = () => server.http();
  const scim = (req: Test, token = scimToken): Test =>
    req.auth(token, { type: 'bearer' }).set('Content-Type', SCIM);
  const makeToken = async (token: string, name: string): Promise<Response> =>
    http().post('/api/v1/scim-tokens').auth(token, { type: 'bearer' }).send({ name });
  const createUser = async (body: Record<string, unknown>, token = scimToken): Promise<Response> =>
    scim(http().post('/scim/v2/Users'), token).send({ schemas: [USER_SCHEMA], ...body });
  const groupMembers = async (groupId: string): Promise<string[]> => {
    const response = await scim(http().get(`/scim/v2/Groups/${groupId}`));
    expect(response.status).toBe(200);
    return ((response.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
  };
  const userOf = async (id: string) =>
    (await http().get(`/api/v1/users/${id}`).auth(adminToken, { type: 'bearer' })).body as {
      status: string;
      superAdmin: boolean;
    };

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    adminId = (
      (await http().get('/api/v1/me').auth(adminToken, { type: 'bearer' })).body as {
        user: { id: string };
      }
    ).user.id;
    const created = await makeToken(adminToken, 'Okta');
    expect(created.status).toBe(201);
    scimToken = created.body.token as string;
    const b = await newAccount(server, adminToken, 'Other', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    other = { ...b, scimToken: (await makeToken(b.token, 'Entra ID')).body.token as string };
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('provisioning tokens', () => {
    it('are shown once, listed by hint, and audited', async () => {
      const list = await http().get('/api/v1/scim-tokens').auth(adminToken, { type: 'bearer' });
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(scimToken);
      expect(list.body.results[0]).toMatchObject({ name: 'Okta', hint: scimToken.slice(0, 11) });
      const events = await auditEvents(server, adminToken, { action: 'scim_token.created' });
      expect(events.find((e) => e.targetId === list.body.results[0].id)).toMatchObject({
        actor: { kind: 'user' },
        metadata: { after: { name: 'Okta' } },
      });
      expect(JSON.stringify(events)).not.toContain(scimToken.slice(20));
    });

    it('cannot be made by a member who is not super admin, nor by a private app', async () => {
      const member = await newUser(server, adminToken);
      expectProblem(await makeToken(member.token, 'x'), 403);
      const key = await http()
        .post('/api/v1/api-keys')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: 'app', scopes: [] });
      expectProblem(await makeToken(key.body.key as string, 'x'), 403);
    });

    it('is refused by the REST API, and REST credentials are refused by SCIM (401)', async () => {
      expectProblem(await http().get('/api/v1/me').auth(scimToken, { type: 'bearer' }), 401);
      expectScimError(await scim(http().get('/scim/v2/Users'), adminToken), 401);
      expectScimError(await http().get('/scim/v2/Users'), 401);
      const key = await http()
        .post('/api/v1/api-keys')
        .auth(adminToken, { type: 'bearer' })
        .send({ name: 'app2', scopes: [] });
      expectScimError(await scim(http().get('/scim/v2/Users'), key.body.key as string), 401);
      expectScimError(await scim(http().get('/scim/v2/Users'), `${scimToken.slice(0, -2)}AA`), 401);
    });

    it('stops working when its creator is no longer a super admin (401)', async () => {
      const creator = await newUser(server, adminToken, { superAdmin: true });
      const token = (await makeToken(creator.token, 'by a second admin')).body.token as string;
      expect((await scim(http().get('/scim/v2/Users?count=1'), token)).status).toBe(200);
      const demoted = await http()
        .patch(`/api/v1/users/${creator.id}`)
        .auth(adminToken, { type: 'bearer' })
        .send({ superAdmin: false });
      expect(demoted.status).toBe(200);
      expectScimError(await scim(http().get('/scim/v2/Users?count=1'), token), 401);
    });

    it('stops working once revoked (401), and the revocation is audited', async () => {
      const created = await makeToken(adminToken, 'temporary');
      const token = created.body.token as string;
      expect((await scim(http().get('/scim/v2/Users?count=1'), token)).status).toBe(200);
      const revoked = await http()
        .delete(`/api/v1/scim-tokens/${created.body.id as string}`)
        .auth(adminToken, { type: 'bearer' });
      expect(revoked.status).toBe(200);
      expectScimError(await scim(http().get('/scim/v2/Users'), token), 401);
      const events = await auditEvents(server, adminToken, { action: 'scim_token.revoked' });
      expect(events[0]).toMatchObject({ targetId: created.body.id });
    });
  });

  it('serves discovery: ServiceProviderConfig, Schemas, ResourceTypes', async () => {
    const config = await scim(http().get('/scim/v2/ServiceProviderConfig'));
    expect(config.status).toBe(200);
    expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const schemas = await scim(http().get('/scim/v2/Schemas'));
    expect((schemas.body.Resources as { id: string }[]).map((s) => s.id)).toEqual([
      USER_SCHEMA,
      ENTERPRISE,
      GROUP_SCHEMA,
    ]);
    const types = await scim(http().get('/scim/v2/ResourceTypes'));
    expect(types.body).toMatchObject({
      totalResults: 2,
      Resources: [{ id: 'User' }, { id: 'Group' }],
    });
  });

  it('runs an Okta provisioning sequence', async () => {
    // Test connection.
    const probe = await scim(http().get('/scim/v2/Users?startIndex=1&count=2'));
    expect(probe.status).toBe(200);
    expect(probe.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(probe.body).toMatchObject({ schemas: [LIST_SCHEMA], startIndex: 1 });
    expect(typeof probe.body.totalResults).toBe('number');
    expect(probe.body.itemsPerPage).toBe(Math.min(2, probe.body.totalResults as number));
    expect(probe.body.Resources).toHaveLength(probe.body.itemsPerPage as number);
    // Filter before create.
    const email = uniqueEmail('okta');
    const none = await scim(
      http()
        .get('/scim/v2/Users')
        .query({ filter: `userName eq "${email}"` }),
    );
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await createUser({
      userName: email,
      externalId: '00u-okta-1',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: 'Ada Lovelace',
      locale: 'en-US',
      password: 'never stored',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.location).toBe(created.body.meta.location);
    expect(created.body).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: email,
      externalId: '00u-okta-1',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      active: true,
      emails: [{ value: email, type: 'work', primary: true }],
      meta: { resourceType: 'User' },
    });
    expect(created.body.meta.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(Date.parse(created.body.meta.created as string)).not.toBeNaN();
    expect(Date.parse(created.body.meta.lastModified as string)).not.toBeNaN();
    expect(created.body).not.toHaveProperty('password');
    // Case-insensitive eq on userName, case-insensitive attribute name.
    const found = await scim(
      http()
        .get('/scim/v2/Users')
        .query({ filter: `USERNAME eq "${email.toUpperCase()}"` }),
    );
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    // PUT with the full object on update.
    const replaced = await scim(http().put(`/scim/v2/Users/${id}`)).send({
      ...created.body,
      name: { givenName: 'Augusta', familyName: 'King' },
      title: 'Countess',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      name: { givenName: 'Augusta', familyName: 'King' },
      title: 'Countess',
    });
    // Deactivate and reactivate by PUT.
    const off = await scim(http().put(`/scim/v2/Users/${id}`)).send({
      ...replaced.body,
      active: false,
    });
    expect(off.body.active).toBe(false);
    expect((await scim(http().get(`/scim/v2/Users/${id}`))).body.active).toBe(false);
    expect((await userOf(id)).status).toBe('deactivated');
    // A PUT that leaves `active` out changes no status.
    const withoutActive = Object.fromEntries(
      Object.entries(off.body as Record<string, unknown>).filter(([key]) => key !== 'active'),
    );
    expect((await scim(http().put(`/scim/v2/Users/${id}`)).send(withoutActive)).body.active).toBe(
      false,
    );
    const on = await scim(http().put(`/scim/v2/Users/${id}`)).send({
      ...replaced.body,
      active: true,
    });
    expect(on.body.active).toBe(true);
    // Create again with the same externalId: idempotent.
    const again = await createUser({ userName: email, externalId: '00u-okta-1' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(id);
    // Deprovision.
    expect((await scim(http().delete(`/scim/v2/Users/${id}`))).status).toBe(204);
    expectScimError(await scim(http().get(`/scim/v2/Users/${id}`)), 404);
    const audit = await auditEvents(server, adminToken, { targetId: id });
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['user.added', 'user.updated', 'user.removed']),
    );
    expect(audit.every((e) => e.actor.kind === 'provisioning')).toBe(true);
  });

  it('runs an Entra ID provisioning sequence in both PATCH dialects', async () => {
    const email = uniqueEmail('entra');
    expect(
      (await scim(http().get('/scim/v2/Users').query({ filter: 'externalId eq "entra-obj-1"' })))
        .body.totalResults,
    ).toBe(0);
    const created = await createUser({
      userName: email,
      externalId: 'entra-obj-1',
      active: true,
      displayName: 'Grace Hopper',
      emails: [{ primary: true, type: 'work', value: email }],
      [ENTERPRISE]: { department: 'Navy' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body[ENTERPRISE]).toEqual({ department: 'Navy' });
    const byEmail = await scim(
      http()
        .get('/scim/v2/Users')
        .query({ filter: `emails[type eq "work"].value eq "${email}"` }),
    );
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    // Legacy dialect: capitalised op, string boolean.
    const legacy = await scim(http().patch(`/scim/v2/Users/${id}`)).send({
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(legacy.status).toBe(200);
    expect(legacy.body.active).toBe(false);
    expect((await userOf(id)).status).toBe('deactivated');
    // Compliant dialect: path-less replace with dotted and URN-prefixed keys.
    const compliant = await scim(http().patch(`/scim/v2/Users/${id}`)).send({
      schemas: [PATCH_SCHEMA],
      Operations: [
        {
          op: 'replace',
          value: {
            active: true,
            'name.givenName': 'Grace',
            'name.familyName': 'Hopper',
            [`${ENTERPRISE}:department`]: 'Computing',
            unknownAttribute: 'ignored',
          },
        },
      ],
    });
    expect(compliant.status).toBe(200);
    expect(compliant.body).toMatchObject({
      active: true,
      name: { givenName: 'Grace', familyName: 'Hopper' },
      [ENTERPRISE]: { department: 'Computing' },
    });
    expect((await userOf(id)).status).toBe('active');

    // Groups: create, add, remove in both dialects, rename, replace, delete.
    const second = (await createUser({ userName: uniqueEmail('entra'), externalId: 'entra-obj-2' }))
      .body.id as string;
    const group = await scim(http().post('/scim/v2/Groups')).send({
      schemas: [GROUP_SCHEMA],
      displayName: `Engineering ${kind}`,
      externalId: 'ignored',
    });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({
      displayName: `Engineering ${kind}`,
      members: [],
      meta: { resourceType: 'Group' },
    });
    const groupId = group.body.id as string;
    const found = await scim(
      http()
        .get('/scim/v2/Groups')
        .query({ filter: `displayName eq "engineering ${kind}"`, excludedAttributes: 'members' }),
    );
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: groupId }] });
    expect(found.body.Resources[0]).not.toHaveProperty('members');
    const patchGroup = (operations: unknown[]) =>
      scim(http().patch(`/scim/v2/Groups/${groupId}`)).send({
        schemas: [PATCH_SCHEMA],
        Operations: operations,
      });
    expect(
      (
        await patchGroup([
          { op: 'Add', path: 'members', value: [{ value: id }, { value: second }] },
        ])
      ).status,
    ).toBe(200);
    expect(await groupMembers(groupId)).toEqual([id, second].sort());
    // Legacy removal: a value array.
    expect(
      (await patchGroup([{ op: 'Remove', path: 'members', value: [{ value: id }] }])).status,
    ).toBe(200);
    expect(await groupMembers(groupId)).toEqual([second]);
    // Compliant removal: a filtered path.
    expect(
      (await patchGroup([{ op: 'add', path: 'members', value: [{ value: id }] }])).status,
    ).toBe(200);
    expect(
      (await patchGroup([{ op: 'remove', path: `members[value eq "${second}"]` }])).status,
    ).toBe(200);
    expect(await groupMembers(groupId)).toEqual([id]);
    const team = await http()
      .get(`/api/v1/teams/${groupId}/members`)
      .auth(adminToken, { type: 'bearer' });
    expect((team.body.results as { userId: string }[]).map((m) => m.userId)).toEqual([id]);
    // Rename with a path-less replace (Entra sends the id along).
    const renamed = await patchGroup([
      { op: 'Replace', value: { id: groupId, displayName: `Eng ${kind}` } },
    ]);
    expect(renamed.body.displayName).toBe(`Eng ${kind}`);
    expect(await groupMembers(groupId)).toEqual([id]);
    // PUT replaces the members exactly.
    const put = await scim(http().put(`/scim/v2/Groups/${groupId}`)).send({
      schemas: [GROUP_SCHEMA],
      displayName: `Eng ${kind}`,
      members: [{ value: second }],
    });
    expect(put.status).toBe(200);
    expect(await groupMembers(groupId)).toEqual([second]);
    // A member who is not a user of the account is refused, and nothing changes.
    const stranger = await patchGroup([
      {
        op: 'add',
        path: 'members',
        value: [{ value: id }, { value: '0193a6c4-7f1e-7c3a-9d1e-0000000000ff' }],
      },
    ]);
    expectScimError(stranger, 400, 'invalidValue');
    expect(await groupMembers(groupId)).toEqual([second]);
    expect((await scim(http().delete(`/scim/v2/Groups/${groupId}`))).status).toBe(204);
    expectScimError(await scim(http().get(`/scim/v2/Groups/${groupId}`)), 404);
    // Deprovision.
    expect((await scim(http().delete(`/scim/v2/Users/${id}`))).status).toBe(204);
    expectScimError(await scim(http().delete(`/scim/v2/Users/${id}`)), 404);
  });

  it("ends a deactivated member's sessions at their next request, and lets them back in on reactivation", async () => {
    const member = await newUser(server, adminToken);
    expect((await http().get('/api/v1/me').auth(member.token, { type: 'bearer' })).status).toBe(
      200,
    );
    const off = await scim(http().patch(`/scim/v2/Users/${member.id}`)).send({
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(off.body.active).toBe(false);
    expectProblem(await http().get('/api/v1/me').auth(member.token, { type: 'bearer' }), 401);
    const on = await scim(http().patch(`/scim/v2/Users/${member.id}`)).send({
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'replace', value: { active: 'True' } }],
    });
    expect(on.body.active).toBe(true);
    // The old token stays dead; a fresh sign-in works.
    expectProblem(await http().get('/api/v1/me').auth(member.token, { type: 'bearer' }), 401);
    await expect(
      server.login(member.email, 'a long enough user password', server.accountId),
    ).resolves.toEqual(expect.any(String));
  });

  it('answers errors in the SCIM error schema', async () => {
    expectScimError(await createUser({ displayName: 'No userName' }), 400, 'invalidValue');
    expectScimError(await createUser({ userName: 'not-an-email' }), 400, 'invalidValue');
    const email = uniqueEmail('dup');
    expect((await createUser({ userName: email })).status).toBe(201);
    expectScimError(await createUser({ userName: email.toUpperCase() }), 409, 'uniqueness');
    expectScimError(
      await scim(http().get('/scim/v2/Users').query({ filter: 'userName co "a"' })),
      400,
      'invalidFilter',
    );
    expectScimError(
      await scim(http().get('/scim/v2/Users').query({ filter: 'title eq "x"' })),
      400,
      'invalidFilter',
    );
    expectScimError(
      await scim(http().patch(`/scim/v2/Users/${adminId}`)).send({ Operations: 'x' }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await scim(http().get('/scim/v2/Users/0193a6c4-7f1e-7c3a-9d1e-0000000000ff')),
      404,
    );
    const group = `Dup ${kind}`;
    expect((await scim(http().post('/scim/v2/Groups')).send({ displayName: group })).status).toBe(
      201,
    );
    expectScimError(
      await scim(http().post('/scim/v2/Groups')).send({ displayName: group }),
      409,
      'uniqueness',
    );
  });

  it('pages with startIndex and count, totalResults counting all matches', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await createUser({ userName: uniqueEmail('page') })).status).toBe(201);
    }
    const all = await scim(http().get('/scim/v2/Users?count=1000'));
    const total = all.body.totalResults as number;
    expect(all.body.Resources).toHaveLength(total);
    const page = await scim(http().get(`/scim/v2/Users?startIndex=2&count=2`));
    expect(page.body).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((r: { id: string }) => r.id)).toEqual(
      all.body.Resources.slice(1, 3).map((r: { id: string }) => r.id),
    );
    const empty = await scim(http().get('/scim/v2/Users?count=0'));
    expect(empty.body).toMatchObject({ totalResults: total, itemsPerPage: 0, Resources: [] });
  });

  describe('attacks', () => {
    it("a token of another account cannot see or touch this account's users and groups (404)", async () => {
      const mine = (await createUser({ userName: uniqueEmail('mine') })).body.id as string;
      const group = (
        await scim(http().post('/scim/v2/Groups')).send({ displayName: `Mine ${kind}` })
      ).body.id as string;
      const theirs = other.scimToken;
      expectScimError(await scim(http().get(`/scim/v2/Users/${mine}`), theirs), 404);
      expectScimError(
        await scim(http().patch(`/scim/v2/Users/${mine}`), theirs).send({
          schemas: [PATCH_SCHEMA],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        }),
        404,
      );
      expectScimError(await scim(http().delete(`/scim/v2/Users/${mine}`), theirs), 404);
      expectScimError(await scim(http().get(`/scim/v2/Groups/${group}`), theirs), 404);
      expectScimError(await scim(http().delete(`/scim/v2/Groups/${group}`), theirs), 404);
      const listed = await scim(http().get('/scim/v2/Users?count=1000'), theirs);
      expect(listed.body.Resources.map((r: { id: string }) => r.id)).not.toContain(mine);
      // Their group cannot take this account's user as a member either.
      const theirGroup = (
        await scim(http().post('/scim/v2/Groups'), theirs).send({ displayName: 'Theirs' })
      ).body.id as string;
      expectScimError(
        await scim(http().patch(`/scim/v2/Groups/${theirGroup}`), theirs).send({
          schemas: [PATCH_SCHEMA],
          Operations: [{ op: 'add', path: 'members', value: [{ value: mine }] }],
        }),
        400,
        'invalidValue',
      );
      expect((await userOf(mine)).status).toBe('active');
    });

    it('a create of an email that has a login in another account tells nothing about it', async () => {
      // The person is a member of account B, under a name only B knows.
      const email = uniqueEmail('elsewhere');
      const invited = await http()
        .post('/api/v1/users')
        .auth(other.token, { type: 'bearer' })
        .send({ email, displayName: 'Bertha of B', password: USER_PASSWORD });
      expect(invited.status).toBe(201);
      const inB = await server.login(email, USER_PASSWORD, other.accountId);
      const loginId = (
        (await http().get('/api/v1/me').auth(inB, { type: 'bearer' })).body as {
          user: { id: string };
        }
      ).user.id;
      const titled = await scim(http().patch(`/scim/v2/Users/${loginId}`), other.scimToken).send({
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'replace', value: { title: 'B-only title', externalId: 'b-ext' } }],
      });
      expect(titled.status).toBe(200);
      const bBefore = (await scim(http().get(`/scim/v2/Users/${loginId}`), other.scimToken)).body;

      // A's provider filters before it creates: B's user is not found.
      const filtered = await scim(
        http()
          .get('/scim/v2/Users')
          .query({ filter: `userName eq "${email}"` }),
      );
      expect(filtered.body).toMatchObject({ totalResults: 0, Resources: [] });

      const fresh = await createUser({ userName: uniqueEmail('fresh'), externalId: 'a-fresh' });
      const known = await createUser({ userName: email.toUpperCase(), externalId: 'a-known' });
      const shape = (response: Response) => {
        const body = response.body as Record<string, unknown> & { id: string; userName: string };
        // Each request has its own ephemeral port: compare paths.
        const text = JSON.stringify(body)
          .split(body.id)
          .join('ID')
          .split(body.userName)
          .join('U')
          .replace(/http:\/\/[^/]+/g, '');
        const { meta, ...rest } = JSON.parse(text) as Record<string, unknown> & {
          meta: Record<string, unknown>;
        };
        return {
          status: response.status,
          location: response.headers.location?.replace(body.id, 'ID').replace(/http:\/\/[^/]+/, ''),
          body: { ...rest, externalId: 'E', meta: { ...meta, created: 'T', lastModified: 'T' } },
        };
      };
      expect(shape(known)).toEqual(shape(fresh));
      const knownId = known.body.id as string;
      expect(knownId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(knownId).not.toBe(loginId);
      const readBack = await scim(http().get(`/scim/v2/Users/${knownId}`));
      expect(shape(readBack)).toEqual(
        shape(await scim(http().get(`/scim/v2/Users/${fresh.body.id as string}`))),
      );
      for (const answer of [known, readBack, await userOf(knownId)]) {
        const text = JSON.stringify('body' in answer ? answer.body : answer);
        expect(text).not.toContain(loginId);
        expect(text).not.toContain('Bertha');
        expect(text).not.toContain('B-only');
        expect(text).not.toContain('b-ext');
      }
      // What follows is the same for both, too: deactivation, reactivation, filter, groups.
      for (const id of [knownId, fresh.body.id as string]) {
        for (const active of [false, true]) {
          const changed = await scim(http().patch(`/scim/v2/Users/${id}`)).send({
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: 'replace', path: 'active', value: active }],
          });
          expect({ status: changed.status, active: changed.body.active }).toEqual({
            status: 200,
            active,
          });
        }
      }
      const group = (
        await scim(http().post('/scim/v2/Groups')).send({
          displayName: `Elsewhere ${kind}`,
          members: [{ value: knownId }],
        })
      ).body.id as string;
      expect(await groupMembers(group)).toEqual([knownId]);

      // A role A's admin gives the person before they sign in is theirs afterwards.
      const role = await http()
        .post('/api/v1/roles')
        .auth(adminToken, { type: 'bearer' })
        .send({
          name: `Consent recorder ${kind}`,
          privileges: [],
          taskPrivileges: ['record_consent'],
        });
      expect(role.status).toBe(201);
      const held = await http()
        .post(`/api/v1/roles/${role.body.id as string}/assignments`)
        .auth(adminToken, { type: 'bearer' })
        .send({ principalType: 'user', principalId: knownId });
      expect(held.status).toBe(201);

      // B's user is unaffected, and B sees nothing of A.
      const bAfter = (await scim(http().get(`/scim/v2/Users/${loginId}`), other.scimToken)).body;
      expect({ ...bAfter, meta: null }).toEqual({ ...bBefore, meta: null });
      expect(bAfter.meta.lastModified).toBe(bBefore.meta.lastModified);
      expect((await http().get('/api/v1/me').auth(inB, { type: 'bearer' })).status).toBe(200);
      const me = await http().get('/api/v1/me').auth(adminToken, { type: 'bearer' });
      const accountId = (me.body as { account: { id: string } }).account.id;

      // Once the person signs in to A (accepting, as an invitation), A's provider keeps its id.
      const inA = await server.login(email, USER_PASSWORD, accountId);
      const meInA = (await http().get('/api/v1/me').auth(inA, { type: 'bearer' })).body;
      expect(meInA).toMatchObject({ user: { id: loginId } });
      expect(meInA.privileges).toContain('record_consent');
      const after = await scim(http().get(`/scim/v2/Users/${knownId}`));
      expect(after.body).toMatchObject({ id: knownId, active: true, externalId: 'a-known' });
      const found = await scim(
        http()
          .get('/scim/v2/Users')
          .query({ filter: `userName eq "${email}"` }),
      );
      expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([knownId]);
      expect(await groupMembers(group)).toEqual([knownId]);
      const removed = await scim(http().patch(`/scim/v2/Groups/${group}`)).send({
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'remove', path: `members[value eq "${knownId}"]` }],
      });
      expect(removed.status).toBe(200);
      expect(await groupMembers(group)).toEqual([]);
      const deactivated = await scim(http().patch(`/scim/v2/Users/${knownId}`)).send({
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      expect(deactivated.body).toMatchObject({ id: knownId, active: false });
      expect((await http().get('/api/v1/me').auth(inA, { type: 'bearer' })).status).toBe(401);
      expect((await http().get('/api/v1/me').auth(inB, { type: 'bearer' })).status).toBe(200);
      expect(await userOf(loginId)).toMatchObject({ status: 'deactivated' });
    });

    it('a SCIM write cannot make anyone super admin', async () => {
      const created = await createUser({
        userName: uniqueEmail('escalate'),
        superAdmin: true,
        roles: [{ value: 'super_admin', primary: true }],
        'urn:custos:superAdmin': true,
      });
      const id = created.body.id as string;
      await scim(http().patch(`/scim/v2/Users/${id}`)).send({
        schemas: [PATCH_SCHEMA],
        Operations: [
          { op: 'add', path: 'superAdmin', value: true },
          { op: 'replace', value: { superAdmin: 'True', roles: [{ value: 'super_admin' }] } },
        ],
      });
      await scim(http().put(`/scim/v2/Users/${id}`)).send({ ...created.body, superAdmin: true });
      expect((await userOf(id)).superAdmin).toBe(false);
      // Nor bring back a super admin a super admin switched off, by PATCH or PUT.
      const off = await newUser(server, adminToken, { superAdmin: true });
      const deactivated = await http()
        .patch(`/api/v1/users/${off.id}`)
        .auth(adminToken, { type: 'bearer' })
        .send({ status: 'deactivated' });
      expect(deactivated.status).toBe(200);
      expectScimError(
        await scim(http().patch(`/scim/v2/Users/${off.id}`)).send({
          schemas: [PATCH_SCHEMA],
          Operations: [{ op: 'replace', path: 'active', value: true }],
        }),
        403,
      );
      const shown = (await scim(http().get(`/scim/v2/Users/${off.id}`))).body as object;
      expectScimError(
        await scim(http().put(`/scim/v2/Users/${off.id}`)).send({ ...shown, active: true }),
        403,
      );
      expect(await userOf(off.id)).toMatchObject({ status: 'deactivated', superAdmin: true });
    });

    it('offboards a super admin who is not the last: deactivated, then removed', async () => {
      const departing = await newUser(server, adminToken, { superAdmin: true });
      const deactivated = await scim(http().patch(`/scim/v2/Users/${departing.id}`)).send({
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      expect(deactivated.status).toBe(200);
      expect(deactivated.body.active).toBe(false);
      expect(
        (await http().get('/api/v1/me').auth(departing.token, { type: 'bearer' })).status,
      ).toBe(401);
      expect((await scim(http().delete(`/scim/v2/Users/${departing.id}`))).status).toBe(204);
      expectScimError(await scim(http().get(`/scim/v2/Users/${departing.id}`)), 404);
    });

    it('deactivating or deleting the last super admin is 409', async () => {
      expectScimError(
        await scim(http().patch(`/scim/v2/Users/${adminId}`)).send({
          schemas: [PATCH_SCHEMA],
          Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
        }),
        409,
      );
      const admin = (await scim(http().get(`/scim/v2/Users/${adminId}`))).body as Record<
        string,
        unknown
      >;
      expectScimError(
        await scim(http().put(`/scim/v2/Users/${adminId}`)).send({ ...admin, active: false }),
        409,
      );
      expectScimError(await scim(http().delete(`/scim/v2/Users/${adminId}`)), 409);
      expect(await userOf(adminId)).toMatchObject({ status: 'active', superAdmin: true });
    });
  });

  if (kind === 'postgres') {
    it('of concurrent creates with one userName, one is 201 and the others 409 (10 rounds)', async () => {
      for (let round = 0; round < 10; round += 1) {
        const email = uniqueEmail('race');
        if (round % 2) {
          // The login exists already, in another account.
          expect((await createUser({ userName: email }, other.scimToken)).status).toBe(201);
        }
        const responses = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            createUser({
              userName: i % 2 ? email : email.toUpperCase(),
              externalId: `race-${round}-${i}`,
            }),
          ),
        );
        expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array<number>(7).fill(409)]);
        responses
          .filter((r) => r.status === 409)
          .forEach((r) => expectScimError(r, 409, 'uniqueness'));
        const found = await scim(
          http()
            .get('/scim/v2/Users')
            .query({ filter: `userName eq "${email}"` }),
        );
        expect(found.body.totalResults).toBe(1);
      }
    });

    it('concurrent PATCHes adding the same member to a group all succeed (no 500)', async () => {
      const group = (
        await scim(http().post('/scim/v2/Groups')).send({ displayName: `Race ${Date.now()}` })
      ).body.id as string;
      for (let round = 0; round < 3; round += 1) {
        const member = (await createUser({ userName: uniqueEmail('member-race') })).body
          .id as string;
        const responses = await Promise.all(
          Array.from({ length: 6 }, () =>
            scim(http().patch(`/scim/v2/Groups/${group}`)).send({
              schemas: [PATCH_SCHEMA],
              Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }],
            }),
          ),
        );
        expect(responses.map((r) => r.status)).toEqual(Array<number>(6).fill(200));
        expect(await groupMembers(group)).toContain(member);
      }
    });
  }
});

describe('SCIM rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { CUSTOS_SCIM_REQUESTS_PER_MINUTE: '3' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 with Retry-After beyond the limit, in the SCIM error schema', async () => {
    const admin = await server.login();
    const created = await server
      .http()
      .post('/api/v1/scim-tokens')
      .auth(admin, { type: 'bearer' })
      .send({ name: 'Okta' });
    const token = created.body.token as string;
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await server.http().get('/scim/v2/Users?count=1').auth(token, { type: 'bearer' })).status,
      ).toBe(200);
    }
    const limited = await server
      .http()
      .get('/scim/v2/Users?count=1')
      .auth(token, { type: 'bearer' });
    expectScimError(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
