import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { FixedClock } from '@custos/core/testing';
import { SignJWT, UnsecuredJWT } from 'jose';
import { ACCESS_TOKEN_ISSUER, AccessTokenService } from './access-token.service';

const KEY = Buffer.alloc(32, 7);
const START = new Date('2026-01-01T00:00:00.000Z');
const NOW = Math.floor(START.getTime() / 1000);

function service(clock = new FixedClock(START)): AccessTokenService {
  return new AccessTokenService({ tokenSigningKey: KEY, tokenTtlSeconds: 900 }, clock);
}

/** A token shaped like ours, with `changes` applied to its header and claims. */
function token(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
  key: Uint8Array = KEY,
): Promise<string> {
  return new SignJWT({
    iss: ACCESS_TOKEN_ISSUER,
    aud: 'custos-api',
    sub: 'user-1',
    acc: 'account-1',
    gen: 0,
    mid: 'membership-1',
    mgen: 0,
    iat: NOW,
    exp: NOW + 900,
    ...claims,
  })
    .setProtectedHeader(header as { alg: string })
    .sign(key);
}

/** Signs any header and payload by hand, as an attacker with the key could (or could not). */
function handSigned(header: unknown, payload: unknown, key: Uint8Array = KEY): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe(AccessTokenService.name, () => {
  it('verifies the tokens it issues, until they expire', async () => {
    const clock = new FixedClock(START);
    const sut = service(clock);
    const claims = {
      userId: 'user-1',
      accountId: 'account-1',
      userGeneration: 3,
      membership: { id: 'membership-1', generation: 2 },
    };
    const issued = await sut.issue(claims);

    await expect(sut.verify(issued)).resolves.toEqual(claims);
    clock.advance(899_000);
    await expect(sut.verify(issued)).resolves.not.toBeNull();
    clock.advance(1_000);
    await expect(sut.verify(issued)).resolves.toBeNull();
  });

  it('accepts a well-formed token signed with its key, audience as a list too', async () => {
    await expect(service().verify(await token())).resolves.toEqual({
      userId: 'user-1',
      accountId: 'account-1',
      userGeneration: 0,
      membership: { id: 'membership-1', generation: 0 },
    });
    await expect(
      service().verify(await token({ aud: ['other', 'custos-api'] })),
    ).resolves.not.toBeNull();
  });

  it.each([
    ['another key', () => token({}, undefined, Buffer.alloc(32, 8))],
    ['HS512', () => token({}, { alg: 'HS512', typ: 'JWT' })],
    ['an unsecured token', () => Promise.resolve(new UnsecuredJWT({ sub: 'u' }).encode())],
    [
      'a critical header extension',
      () =>
        Promise.resolve(
          handSigned(
            { alg: 'HS256', crit: ['x'], x: 1 },
            { iss: 'custos', aud: 'custos-api', sub: 'u', acc: 'a', exp: NOW + 60 },
          ),
        ),
    ],
    ['another typ', () => token({}, { alg: 'HS256', typ: 'at+jwt' })],
    ['another issuer', () => token({ iss: 'someone' })],
    ['another audience', () => token({ aud: 'elsewhere' })],
    ['no audience', () => token({ aud: undefined })],
    ['no expiry', () => token({ exp: undefined })],
    ['an expiry that is not a number', () => token({ exp: String(NOW + 900) })],
    ['an expiry of now', () => token({ exp: NOW })],
    ['a future not-before', () => token({ nbf: NOW + 1 })],
    ['a not-before that is not a number', () => token({ nbf: 'soon' })],
    ['an issued-at that is not a number', () => token({ iat: 'today' })],
    ['no subject', () => token({ sub: undefined })],
    ['no account', () => token({ acc: undefined })],
    ['an account that is not a string', () => token({ acc: 42 })],
    ['no credential generation (issued before generations)', () => token({ gen: undefined })],
    ['a credential generation that is not an integer', () => token({ gen: '0' })],
    ['a membership without its generation', () => token({ mgen: undefined })],
    ['a membership generation without the membership', () => token({ mid: undefined })],
    ['a payload that is not an object', () => Promise.resolve(handSigned({ alg: 'HS256' }, ['x']))],
    ['garbage', () => Promise.resolve('not a token')],
    ['four segments', async () => `${await token()}.x`],
    ['padding', async () => `${await token()}=`],
  ])('refuses a token with %s', async (_case, make) => {
    await expect(service().verify(await make())).resolves.toBeNull();
  });

  it('reads a support session token, which has no membership', async () => {
    await expect(
      service().verify(await token({ mid: undefined, mgen: undefined })),
    ).resolves.toEqual({ userId: 'user-1', accountId: 'account-1', userGeneration: 0 });
  });

  it('accepts a not-before of now and no issued-at', async () => {
    await expect(
      service().verify(await token({ nbf: NOW, iat: undefined })),
    ).resolves.not.toBeNull();
  });

  it('refuses every token with a changed character', async () => {
    const genuine = await token();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    const sut = service();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: genuine.length - 1 }),
        fc.constantFrom(...alphabet),
        async (at, replacement) => {
          const changed = genuine.slice(0, at) + replacement + genuine.slice(at + 1);
          const decodesTheSame = changed === genuine || sameBytes(changed, genuine);
          fc.pre(!decodesTheSame);
          expect(await sut.verify(changed)).toBeNull();
        },
      ),
    );
  });
});

/**
 * Whether two tokens decode to the same bytes: the last character of a base64url segment
 * carries unused low bits, so a few changes there are not changes of the token at all.
 */
function sameBytes(a: string, b: string): boolean {
  const as = a.split('.');
  const bs = b.split('.');
  return (
    as.length === 3 &&
    bs.length === 3 &&
    as.every(
      (segment, i) =>
        Buffer.from(segment, 'base64url').equals(Buffer.from(bs[i], 'base64url')) &&
        (segment === bs[i] || i === 2),
    )
  );
}
