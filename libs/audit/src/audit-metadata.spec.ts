import { isSecretKey, sanitizeMetadata } from './audit-metadata';

describe(sanitizeMetadata.name, () => {
  it('drops secret-looking keys at any depth, whatever their case or separators', () => {
    expect(
      sanitizeMetadata({
        PASSWORD: 'x',
        before: { password_hash: 'x', name: 'a' },
        after: { list: [{ 'api-key': 'x', Token: 'x', kept: true }], name: 'b' },
      }),
    ).toEqual({ before: { name: 'a' }, after: { list: [{ kept: true }], name: 'b' } });
  });

  it('keeps keys that merely contain a secret word', () => {
    expect(sanitizeMetadata({ keyId: 'k-1', tokenCount: 2, hashAlgorithm: 'sha256' })).toEqual({
      keyId: 'k-1',
      tokenCount: 2,
      hashAlgorithm: 'sha256',
    });
  });

  it('reduces values to plain JSON', () => {
    expect(
      sanitizeMetadata({
        at: new Date('2026-01-01T00:00:00.000Z'),
        gone: undefined,
        n: Number.NaN,
      }),
    ).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      n: null,
    });
  });

  it('treats missing metadata as an empty object', () => {
    expect(sanitizeMetadata(undefined)).toEqual({});
  });

  it('refuses metadata that is not an object', () => {
    expect(() => sanitizeMetadata('text')).toThrow(
      expect.objectContaining({ code: 'audit.invalid_metadata' }),
    );
  });

  it('refuses metadata with a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => sanitizeMetadata(cyclic)).toThrow(
      expect.objectContaining({ code: 'audit.invalid_metadata' }),
    );
  });

  it('refuses metadata nested too deep', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) {
      deep = { deeper: deep };
    }
    expect(() => sanitizeMetadata(deep)).toThrow(
      expect.objectContaining({ code: 'audit.invalid_metadata' }),
    );
  });
});

describe(isSecretKey.name, () => {
  it.each([
    'password',
    'passwordHash',
    'token',
    'secret',
    'apiKey',
    'key',
    'hash',
    'API_KEY',
    'Client-Secret',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
});
