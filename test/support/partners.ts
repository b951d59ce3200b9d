import { callerOf, expectStatus, type Caller } from '../crm/crm-support';
import { USER_PASSWORD, newUser, type CreatedUser } from './factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from './test-server';

let worlds = 0;

/**
 * A partner firm and a customer of its own, made over HTTP for one `describe`: the firm's home
 * account with its firm admin and employees, and a customer account whose super admin is the
 * server's admin. Tokens are fresh per call, so tests in any order (and after a clock move) work.
 */
export interface PartnerWorld {
  server: TestServer;
  homeAccountId: string;
  customerAccountId: string;
  firmAdmin: CreatedUser;
  employees: CreatedUser[];
  /** A fresh token of the person in the account. */
  tokenOf(user: { email: string }, accountId: string): Promise<string>;
  /** The customer's super admin (the server's admin), freshly signed in. */
  customer(accountId?: string): Promise<Caller>;
  /** A caller for the person in the account (fresh token). */
  as(user: { email: string }, accountId: string): Promise<Caller>;
  /** Adds one more employee to the firm (a new member of the home account). */
  hire(): Promise<CreatedUser>;
  /** The employee's current access link. */
  linkOf(user: CreatedUser): Promise<string>;
  /** Sets the customer account's partner seats. */
  setSeats(seats: number, accountId?: string): Promise<void>;
  /** Approves the employee's link in the customer account (expects 200). */
  admit(user: CreatedUser, extra?: object, accountId?: string): Promise<void>;
  /** A new account whose super admin is the server's admin. */
  newAccount(name: string): Promise<string>;
}

export async function partnerWorld(server: TestServer, employeeCount = 2): Promise<PartnerWorld> {
  worlds += 1;
  const n = worlds;
  const adminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
  const admin = callerOf(server, adminToken);
  const newAccount = async (name: string) =>
    expectStatus(await admin.post('/api/v1/accounts', { name }), 201).body.id as string;
  const homeAccountId = await newAccount(`Partner firm ${n}`);
  const customerAccountId = await newAccount(`Customer ${n}`);
  const homeAdminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, homeAccountId);
  const firmAdmin = await newUser(server, homeAdminToken, { superAdmin: true });
  expectStatus(
    await callerOf(server, firmAdmin.token).post('/api/v1/partner/firm', {
      name: `Firm ${n}`,
    }),
    201,
  );
  const tokenOf = (user: { email: string }, accountId: string) =>
    server.login(user.email, USER_PASSWORD, accountId);
  const as = async (user: { email: string }, accountId: string) =>
    callerOf(server, await tokenOf(user, accountId));
  const hire = async () => {
    const user = await newUser(
      server,
      await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, homeAccountId),
    );
    const firm = await as(firmAdmin, homeAccountId);
    expectStatus(await firm.post('/api/v1/partner/firm/employees', { userId: user.id }), 201);
    return user;
  };
  const employees: CreatedUser[] = [];
  for (let i = 0; i < employeeCount; i += 1) {
    employees.push(await hire());
  }
  const customer = async (accountId = customerAccountId) =>
    callerOf(server, await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, accountId));
  const linkOf = async (user: CreatedUser) =>
    expectStatus(await (await as(user, homeAccountId)).get('/api/v1/partner/link'), 200).body
      .link as string;
  return {
    server,
    homeAccountId,
    customerAccountId,
    firmAdmin,
    employees,
    tokenOf,
    customer,
    as,
    hire,
    linkOf,
    newAccount,
    async setSeats(seats, accountId = customerAccountId) {
      expectStatus(
        await (await customer(accountId)).put('/api/v1/partner-seats/partner').send({ seats }),
        200,
      );
    },
    async admit(user, extra = {}, accountId = customerAccountId) {
      expectStatus(
        await (
          await customer(accountId)
        ).post('/api/v1/partner-links/approve', { link: await linkOf(user), ...extra }),
        200,
      );
    },
  };
}
