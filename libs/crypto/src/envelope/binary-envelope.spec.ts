import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  BINARY_ENVELOPE_VERSION,
  isSealedBytes,
  keyVersionOfBytes,
  openBytes,
  sealBytes,
  sealBytesInFormat,
  type BlobPlace,
} from './binary-envelope';
import { EnvelopeError, open, seal } from './envelope';

const key = { version: 7, key: createSecretKey(randomBytes(32)) };
const keyFor = (version: number) => (version === key.version ? key.key : undefined);
const place: BlobPlace = { accountId: 'acc-1', purpose: 'attachment', id: 'att-1' };

function reasonOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).reason;
  }
  throw new Error('expected the envelope to be refused');
}

describe(sealBytes.name, () => {
  it('round-trips any bytes, the empty file included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const sealed = sealBytes(bytes, key, place);
        expect(isSealedBytes(sealed)).toBe(true);
        expect(openBytes(sealed, keyFor, place).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('hides the content and records the format and key versions', () => {
    const canary = Buffer.from('CANARY-1234567890', 'utf8');
    const sealed = sealBytes(Buffer.concat([canary, canary, canary]), key, place);
    expect(sealed.includes(canary)).toBe(false);
    expect([...sealed.subarray(0, 4)]).toEqual([0x43, 0x58, 0x42, BINARY_ENVELOPE_VERSION]);
    expect(keyVersionOfBytes(sealed)).toBe(7);
    expect(sealBytes(canary, key, place).equals(sealBytes(canary, key, place))).toBe(false);
  });

  it('refuses the envelope with any single bit of any byte flipped', () => {
    const sealed = sealBytes(Buffer.from('a medical report'), key, place);
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        (index, bit) => {
          const tampered = Buffer.from(sealed);
          tampered[index] ^= 1 << bit;
          expect(['not_authentic', 'malformed', 'unknown_key']).toContain(
            reasonOf(() => openBytes(tampered, keyFor, place)),
          );
        },
      ),
      { numRuns: 500 },
    );
    for (let i = 0; i < sealed.length; i += 1) {
      const tampered = Buffer.from(sealed);
      tampered[i] ^= 0x80;
      expect(() => openBytes(tampered, keyFor, place)).toThrow(EnvelopeError);
    }
  });

  it('refuses truncated, extended and foreign bytes', () => {
    const sealed = sealBytes(Buffer.from('a medical report'), key, place);
    expect(reasonOf(() => openBytes(sealed.subarray(0, sealed.length - 1), keyFor, place))).toBe(
      'not_authentic',
    );
    expect(
      reasonOf(() => openBytes(Buffer.concat([sealed, Buffer.from([0])]), keyFor, place)),
    ).toBe('not_authentic');
    expect(reasonOf(() => openBytes(sealed.subarray(0, 20), keyFor, place))).toBe('malformed');
    expect(reasonOf(() => openBytes(Buffer.from('%PDF-1.7 plain file'), keyFor, place))).toBe(
      'malformed',
    );
    expect(isSealedBytes(Buffer.from('%PDF-1.7 plain file'))).toBe(false);
  });

  it.each([
    ['another account', { accountId: 'acc-2' }],
    ['another purpose', { purpose: 'avatar' }],
    ['another attachment', { id: 'att-2' }],
  ])('refuses bytes moved to %s', (_label, moved) => {
    const sealed = sealBytes(Buffer.from('a medical report'), key, place);
    expect(reasonOf(() => openBytes(sealed, keyFor, { ...place, ...moved }))).toBe('not_authentic');
  });

  it('refuses bytes sealed with an unknown key version, or with another key of the same version', () => {
    const other = { version: 9, key: createSecretKey(randomBytes(32)) };
    expect(
      reasonOf(() => openBytes(sealBytes(Buffer.from('x'), other, place), keyFor, place)),
    ).toBe('unknown_key');
    const impostor = { version: 7, key: createSecretKey(randomBytes(32)) };
    expect(
      reasonOf(() => openBytes(sealBytes(Buffer.from('x'), impostor, place), keyFor, place)),
    ).toBe('not_authentic');
  });

  it('never opens a string envelope as a blob, nor a blob as a string envelope', () => {
    const valuePlace = { accountId: 'acc-1', table: 'attachment', column: 'att-1', recordId: '' };
    const text = seal('a medical report', key, valuePlace);
    expect(() => openBytes(Buffer.from(text, 'utf8'), keyFor, place)).toThrow(EnvelopeError);
    const blob = sealBytes(Buffer.from('a medical report'), key, place);
    expect(() => open(`cx1.${blob.toString('base64url')}`, keyFor, valuePlace)).toThrow(
      EnvelopeError,
    );
  });
});

describe('binary envelope formats', () => {
  const owned: BlobPlace = { ...place, owner: 'contacts/rec-1' };
  const content = Buffer.from('CANARY file', 'utf8');

  it('refuses a blob whose thing moved to another owner', () => {
    const sealed = sealBytes(content, key, owned);
    expect(reasonOf(() => openBytes(sealed, keyFor, { ...owned, owner: 'contacts/rec-2' }))).toBe(
      'not_authentic',
    );
  });

  it('opens a format-1 blob at the former place it was bound to', () => {
    const sealed = sealBytesInFormat(1, content, key, place);
    expect(openBytes(sealed, keyFor, owned, place).equals(content)).toBe(true);
  });

  it('refuses a format-2 blob at its former place', () => {
    const sealed = sealBytes(content, key, place);
    expect(reasonOf(() => openBytes(sealed, keyFor, owned, place))).toBe('not_authentic');
  });
});

describe('binary envelopes under a holder’s own key (format 3)', () => {
  const holderKey = {
    version: 2,
    key: createSecretKey(randomBytes(32)),
    scope: 'subject' as const,
  };
  const held: BlobPlace = { ...place, holder: { kind: 'file', id: 'export/e-1' } };
  const holderKeyFor = (version: number, scope: string) =>
    scope === 'subject' && version === holderKey.version ? holderKey.key : undefined;

  it('opens only at its holder, with the holder’s key, never with the account’s', () => {
    const sealed = sealBytes(Buffer.from('held'), holderKey, held);
    expect(sealed.readUInt8(3)).toBe(3);
    expect(keyVersionOfBytes(sealed)).toBe(2);
    expect(openBytes(sealed, holderKeyFor, held).toString('utf8')).toBe('held');
    // Another holder with the same key bytes (a key row re-pointed), or no holder: refused.
    expect(
      reasonOf(() =>
        openBytes(sealed, holderKeyFor, { ...held, holder: { kind: 'file', id: 'export/e-2' } }),
      ),
    ).toBe('not_authentic');
    expect(reasonOf(() => openBytes(sealed, holderKeyFor, place))).toBe('unknown_key');
    // The account's key of the same version does not open it: the format asks for the holder's.
    const accountKey = { version: 2, key: holderKey.key };
    expect(
      reasonOf(() =>
        openBytes(
          sealed,
          (_version, scope) => (scope === 'account' ? accountKey.key : undefined),
          held,
        ),
      ),
    ).toBe('unknown_key');
  });

  it('refuses to seal under a holder key without a holder in the place', () => {
    expect(() => sealBytes(Buffer.from('x'), holderKey, place)).toThrow(/holder/);
  });
});
