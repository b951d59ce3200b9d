import type { TestServer } from './test-server';

export const USER_PASSWORD = 'a long enough user password';

let counter = 0;

/** A unique email for this test run. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${counter}@example.com`;
}

export interface CreatedUser {
  id: string;
  email: string;
  token: string;
}

/**
 * Adds a user to the account of `adminToken` through the API (an invitation) and signs them in
 * naming that account, which accepts it: the user is an active member from then on.
 */
export async function newUser(
  server: TestServer,
  adminToken: string,
  fields: {
    superAdmin?: boolean;
    teamIds?: string[];
    businessUnitId?: string;
    email?: string;
  } = {},
): Promise<CreatedUser> {
  const email = fields.email ?? uniqueEmail();
  const response = await server
    .http()
    .post('/api/v1/users')
    .auth(adminToken, { type: 'bearer' })
    .send({ displayName: email.split('@')[0], password: USER_PASSWORD, ...fields, email });
  if (response.status !== 201) {
    throw new Error(
      `creating ${email} failed: ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  const me = await server.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' });
  const accountId = (me.body as { account: { id: string } }).account.id;
  const token = await server.login(email, USER_PASSWORD, accountId);
  // Accepting moves the invitation to the login's own id, which is the user's id from then on.
  const accepted = await server.http().get('/api/v1/me').auth(token, { type: 'bearer' });
  return { id: (accepted.body as { user: { id: string } }).user.id, email, token };
}
