import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from '../support/api';
import { newUser, uniqueEmail, USER_PASSWORD, type CreatedUser } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import { callerOf, expectStatus, type Caller } from './access-support';

interface UserView {
  id: string;
  email: string;
  displayName: string;
  status: string;
  superAdmin: boolean;
  teamIds: string[];
  createdAt: string;
  updatedAt: string;
}

const ATTACKER_PASSWORD = 'the attacker password, long enough';

/** Milliseconds since the epoch in a UUIDv7 (its first 48 bits). */
function uuidTime(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/**
 * Class 7 of issue 10, "logins leak across tenants": an attacker who creates an account of their
 * own tries to learn about, enrol and watch a login of another account (the victim). Each attack
 * is a scenario; each must fail on both databases.
 */
describe.each(testDatabaseKinds())('tenancy on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  /** The victim: a member of the Demo account only, with a name the attacker must not learn. */
  let victim: CreatedUser;
  const victimName = 'Victoria Secretname';
  /** The attacker: super admin of an account they created themselves. */
  let attacker: Caller;
  let attackerAccountId: string;
  let attackerToken: string;

  const signIn = (email: string, password: string, accountId?: string) =>
    server.http().post('/api/v1/auth/login').send({ email, password, accountId });

  async function invite(
    as: Caller,
    email: string,
    extra: Record<string, unknown> = {},
  ): Promise<UserView> {
    return expectStatus(
      await as.post('/api/v1/users', { email, displayName: 'Typed by inviter', ...extra }),
      201,
    ).body as UserView;
  }

  /** A login that belongs to the Demo account only and is renamed by its owner. */
  async function demoMember(): Promise<CreatedUser> {
    const person = await newUser(server, adminToken);
    expectStatus(
      await callerOf(server, person.token).patch('/api/v1/me', { displayName: victimName }),
      200,
    );
    return person;
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    victim = await demoMember();
    // The attacker is an ordinary member of Demo who creates an account of their own.
    const email = uniqueEmail('attacker');
    expectStatus(
      await callerOf(server, adminToken).post('/api/v1/users', {
        email,
        displayName: 'Attacker',
        password: ATTACKER_PASSWORD,
      }),
      201,
    );
    const demoToken = await server.login(email, ATTACKER_PASSWORD, server.accountId);
    const own = await newAccount(server, demoToken, `Attacker ${kind}`, {
      email,
      password: ATTACKER_PASSWORD,
    });
    attackerAccountId = own.accountId;
    attackerToken = own.token;
    attacker = callerOf(server, attackerToken);
  });

  afterAll(async () => {
    await server.close();
  });

  describe('class 7: logins leak across tenants', () => {
    it('attack: "add user" answers a taken email and a free one alike (status, fields, id age)', async () => {
      const before = Date.now();
      const answers = await Promise.all(
        [victim.email, uniqueEmail('free')].map((email) =>
          attacker.post('/api/v1/users', {
            email,
            displayName: 'Probe',
            password: 'a password chosen by the attacker',
          }),
        ),
      );
      const [taken, free] = answers.map((r) => ({ status: r.status, body: r.body as UserView }));
      expect(taken.status).toBe(201);
      expect(free.status).toBe(taken.status);
      const comparable = ({ id, email, createdAt, updatedAt, ...rest }: UserView) => ({
        ...rest,
        keys: Object.keys({ id, email, createdAt, updatedAt, ...rest }).sort(),
      });
      expect(comparable(taken.body)).toEqual(comparable(free.body));
      expect(taken.body).toMatchObject({ status: 'invited', displayName: 'Probe' });
      // Neither the id (a UUIDv7) nor the dates carry the login's age.
      for (const answer of [taken.body, free.body]) {
        expect(uuidTime(answer.id)).toBeGreaterThanOrEqual(before);
        expect(Date.parse(answer.createdAt)).toBeGreaterThanOrEqual(before - 1000);
        expect(answer.updatedAt).toBe(answer.createdAt);
      }
    });

    it("attack: the users list and get show the inviter's name, never the login's own", async () => {
      const target = await demoMember();
      const invited = await invite(attacker, target.email);
      const listed = expectStatus(await attacker.get('/api/v1/users', { email: target.email }), 200)
        .body as { results: UserView[] };
      const fetched = expectStatus(await attacker.get(`/api/v1/users/${invited.id}`), 200)
        .body as UserView;
      for (const view of [...listed.results, fetched]) {
        expect(view).toMatchObject({ status: 'invited', displayName: 'Typed by inviter' });
        expect(view.id).not.toBe(target.id);
      }
      expect(JSON.stringify([listed, fetched])).not.toContain(victimName);
    });

    it("attack: a team's member list shows an invitee as the inviter typed them", async () => {
      const team = expectStatus(
        await attacker.post('/api/v1/teams', { name: `Probe ${kind}` }),
        201,
      ).body as { id: string };
      const someone = await demoMember();
      await invite(attacker, someone.email, { teamIds: [team.id] });
      const members = expectStatus(await attacker.get(`/api/v1/teams/${team.id}/members`), 200)
        .body as { results: { userId: string; displayName: string }[] };
      expect(members.results).toEqual([
        expect.objectContaining({ displayName: 'Typed by inviter' }),
      ]);
      expect(JSON.stringify(members)).not.toContain(victimName);
    });

    it('attack: support access answers a login, an unknown email and a deactivated login alike', async () => {
      const deactivated = await newUser(server, adminToken);
      expectStatus(
        await callerOf(server, adminToken).patch(`/api/v1/users/${deactivated.id}`, {
          status: 'deactivated',
        }),
        200,
      );
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const answers = await Promise.all(
        [(await demoMember()).email, uniqueEmail('ghost'), deactivated.email].map((email) =>
          attacker.post('/api/v1/support-access', {
            supportUserEmail: email,
            reason: 'Probe',
            expiresAt,
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(201);
        expect(answer.body).toMatchObject({
          supportUser: { id: null, displayName: null },
          status: 'active',
        });
      }
      expect(JSON.stringify(answers.map((a) => a.body as unknown))).not.toContain(victimName);
    });

    it("attack: the victim's failed sign-ins never reach the inviting account's audit log", async () => {
      const target = await demoMember();
      await invite(attacker, target.email);
      expectProblem(await signIn(target.email, 'a wrong password'), 401);
      expectProblem(await signIn(target.email, 'a wrong password', attackerAccountId), 401);
      expect(await auditEvents(server, attackerToken, { action: 'auth.login_failed' })).toEqual([]);
      // The plain attempt is still audited where the person is a member.
      expect(
        await auditEvents(server, adminToken, { action: 'auth.login_failed', targetId: target.id }),
      ).toHaveLength(1);
    });

    it("attack: the victim's plain sign-in does not start listing the inviting account", async () => {
      const target = await demoMember();
      await invite(attacker, target.email);
      const plain = expectStatus(await signIn(target.email, USER_PASSWORD), 200).body as {
        accountId: string;
      };
      expect(plain.accountId).toBe(server.accountId);
      const mine = expectStatus(await callerOf(server, target.token).get('/api/v1/accounts'), 200)
        .body as { id: string }[];
      expect(mine.map((a) => a.id)).toEqual([server.accountId]);
    });

    it("attack: an invitation lists apart from the person's own accounts when they must choose", async () => {
      const target = await demoMember();
      const second = await newAccount(server, target.token, `Own second ${kind}`, {
        email: target.email,
        password: USER_PASSWORD,
      });
      await invite(attacker, target.email);
      const answer = await signIn(target.email, USER_PASSWORD);
      expectProblem(answer, 422, { code: 'identity.account_required', field: 'accountId' });
      const { accounts, invitations } = answer.body as {
        accounts: { id: string }[];
        invitations: { id: string }[];
      };
      expect(accounts.map((a) => a.id).sort()).toEqual([server.accountId, second.accountId].sort());
      expect(invitations.map((a) => a.id)).toEqual([attackerAccountId]);
    });

    it('attack: the inviter cannot activate an invitation themself (409 invitation_pending)', async () => {
      const target = await demoMember();
      const invited = await invite(attacker, target.email);
      for (const status of ['active', 'deactivated']) {
        expectProblem(await attacker.patch(`/api/v1/users/${invited.id}`, { status }), 409, {
          code: 'identity.invitation_pending',
          field: 'status',
        });
      }
      await expect(server.login(target.email, USER_PASSWORD)).resolves.toEqual(expect.any(String));
      const still = expectStatus(await attacker.get(`/api/v1/users/${invited.id}`), 200)
        .body as UserView;
      expect(still.status).toBe('invited');
    });

    it('attack: an invitee holds no place before accepting: no role, no super admin count', async () => {
      const target = await demoMember();
      const invited = await invite(attacker, target.email, { superAdmin: true });
      const role = expectStatus(
        await attacker.post('/api/v1/roles', {
          name: `Probe ${kind}`,
          privileges: [],
          taskPrivileges: [],
        }),
        201,
      ).body as { id: string };
      const assigned = await attacker.post(`/api/v1/roles/${role.id}/assignments`, {
        principalType: 'user',
        principalId: invited.id,
      });
      expect(assigned.status).toBe(422);
      // The invited super admin does not count: the attacker is still the only one.
      const me = expectStatus(await attacker.get('/api/v1/me'), 200).body as {
        user: { id: string };
      };
      expectProblem(
        await attacker.patch(`/api/v1/users/${me.user.id}`, { superAdmin: false }),
        409,
        { code: 'identity.last_super_admin' },
      );
    });
  });

  describe('invitations', () => {
    it('are accepted by signing in naming the account: the person joins under their own id and name', async () => {
      const person = await demoMember();
      const invited = await invite(attacker, person.email);
      const token = await server.login(person.email, USER_PASSWORD, attackerAccountId);
      const me = expectStatus(await callerOf(server, token).get('/api/v1/me'), 200).body as {
        account: { id: string };
        user: { id: string; displayName: string };
      };
      expect(me).toMatchObject({
        account: { id: attackerAccountId },
        user: { id: person.id, displayName: victimName },
      });
      expectProblem(await attacker.get(`/api/v1/users/${invited.id}`), 404);
      expect(
        expectStatus(await attacker.get(`/api/v1/users/${person.id}`), 200).body,
      ).toMatchObject({ status: 'active', displayName: victimName });
      const [accepted] = await auditEvents(server, attackerToken, {
        action: 'user.invitation_accepted',
        targetId: person.id,
      });
      expect(accepted.metadata).toEqual({ invitedAs: invited.id });
    });

    it('are accepted by a plain sign-in of someone invited to one account and member of none', async () => {
      const email = uniqueEmail('fresh');
      const invited = await invite(attacker, email, { password: USER_PASSWORD });
      const plain = expectStatus(await signIn(email, USER_PASSWORD), 200).body as {
        accountId: string;
      };
      expect(plain.accountId).toBe(attackerAccountId);
      expect(
        expectStatus(await attacker.get(`/api/v1/users/${invited.id}`), 200).body,
      ).toMatchObject({ status: 'active' });
    });

    it('move the team places made before acceptance to the person', async () => {
      const team = expectStatus(
        await attacker.post('/api/v1/teams', { name: `Moved ${kind}` }),
        201,
      ).body as { id: string };
      const person = await demoMember();
      await invite(attacker, person.email, { teamIds: [team.id] });
      await server.login(person.email, USER_PASSWORD, attackerAccountId);
      const members = expectStatus(await attacker.get(`/api/v1/teams/${team.id}/members`), 200)
        .body as { results: { userId: string }[] };
      expect(members.results.map((m) => m.userId)).toEqual([person.id]);
    });
  });

  /**
   * Class 12 of issue 10, last item: tokens carry credential generations, so each of these ends
   * every token issued before it, on every instance, at its next request.
   */
  describe('class 12: tokens die with their credentials', () => {
    let other: TestServer;

    beforeAll(async () => {
      other = await startTestServer(kind, { sameDatabaseAs: server });
    });

    afterAll(async () => {
      await other?.close();
    });

    const admin = () => callerOf(server, adminToken);
    const works = async (on: TestServer, token: string) =>
      (await callerOf(on, token).get('/api/v1/me')).status;

    it('a token issued before a password change is refused after it, on both instances', async () => {
      const person = await newUser(server, adminToken);
      expect(await works(other, person.token)).toBe(200);
      expectStatus(
        await callerOf(server, person.token).put('/api/v1/me/password', {
          currentPassword: USER_PASSWORD,
          newPassword: 'a brand new password',
        }),
        204,
      );
      expect(await works(server, person.token)).toBe(401);
      expect(await works(other, person.token)).toBe(401);
      const fresh = await other.login(person.email, 'a brand new password');
      expect(await works(server, fresh)).toBe(200);
    });

    it('a token issued before a deactivation does not work again after reactivation', async () => {
      const person = await newUser(server, adminToken);
      expectStatus(
        await admin().patch(`/api/v1/users/${person.id}`, { status: 'deactivated' }),
        200,
      );
      expectStatus(await admin().patch(`/api/v1/users/${person.id}`, { status: 'active' }), 200);
      expect(await works(server, person.token)).toBe(401);
      expect(await works(other, person.token)).toBe(401);
      expect(await works(other, await server.login(person.email, USER_PASSWORD))).toBe(200);
    });

    it('a token issued before a removal does not work after the person is re-added', async () => {
      const person = await newUser(server, adminToken);
      expectStatus(await admin().delete(`/api/v1/users/${person.id}`), 204);
      await invite(admin(), person.email);
      await server.login(person.email, USER_PASSWORD, server.accountId);
      expect(await works(server, person.token)).toBe(401);
      expect(await works(other, person.token)).toBe(401);
    });

    it('a token issued before super admin is revoked is refused after it', async () => {
      const person = await newUser(server, adminToken, { superAdmin: true });
      expectStatus(await admin().patch(`/api/v1/users/${person.id}`, { superAdmin: false }), 200);
      expect(await works(other, person.token)).toBe(401);
      expectStatus(await admin().patch(`/api/v1/users/${person.id}`, { superAdmin: true }), 200);
      expect(await works(server, person.token)).toBe(401);
    });

    it('sign out everywhere ends every token of the login, in every account, on both instances', async () => {
      const person = await newUser(server, adminToken);
      const second = await newAccount(server, person.token, `Second ${kind}`, {
        email: person.email,
        password: USER_PASSWORD,
      });
      const onOther = await other.login(person.email, USER_PASSWORD, server.accountId);
      expectStatus(await callerOf(other, onOther).post('/api/v1/me/sign-out-everywhere'), 204);
      for (const token of [person.token, second.token, onOther]) {
        expect(await works(server, token)).toBe(401);
        expect(await works(other, token)).toBe(401);
      }
      const fresh = await server.login(person.email, USER_PASSWORD, second.accountId);
      expect(await works(other, fresh)).toBe(200);
      const [event] = await auditEvents(server, adminToken, {
        action: 'auth.signed_out_everywhere',
        targetId: person.id,
      });
      expect(event).toMatchObject({ actor: { kind: 'user', id: person.id } });
    });

    it('sign out everywhere is for people: an API key gets 403 and keeps working', async () => {
      const key = expectStatus(
        await admin().post('/api/v1/api-keys', { name: `Sync ${kind}`, scopes: [] }),
        201,
      ).body as { key: string };
      const app = callerOf(server, key.key);
      expectProblem(await app.post('/api/v1/me/sign-out-everywhere'), 403, {
        code: 'identity.people_only',
      });
      expect((await app.get('/api/v1/me')).status).toBe(200);
    });

    it('a support session ends when the support person signs out everywhere', async () => {
      const person = await newUser(server, adminToken);
      expectStatus(
        await attacker.post('/api/v1/support-access', {
          supportUserEmail: person.email,
          reason: 'Ticket #1',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
        201,
      );
      const support = await server.login(person.email, USER_PASSWORD, attackerAccountId);
      expect(await works(other, support)).toBe(200);
      expectStatus(
        await callerOf(server, person.token).post('/api/v1/me/sign-out-everywhere'),
        204,
      );
      expect(await works(other, support)).toBe(401);
    });
  });
});
