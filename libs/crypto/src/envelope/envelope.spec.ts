import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  ENVELOPE_VERSION,
  EnvelopeError,
  envelopeFormatOf,
  isCanonicalBase64url,
  keyVersionOf,
  open,
  seal,
  sealInFormat,
  type ValuePlace,
} from './envelope';
import { NonceSource } from './nonce-source';

const key = { version: 3, key: createSecretKey(randomBytes(32)) };
const keyFor = (version: number) => (version === key.version ? key.key : undefined);
const place: ValuePlace = {
  accountId: 'acc-1',
  table: 'crm_contact',
  column: 'national_id',
  recordId: 'rec-1',
};

function reasonOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).reason;
  }
  throw new Error('expected the envelope to be refused');
}

describe(seal.name, () => {
  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(open(seal(text, key, place), keyFor, place)).toBe(text);
      }),
    );
  });

  it('records the key version and never repeats a ciphertext for the same value', () => {
    const a = seal('same value', key, place);
    const b = seal('same value', key, place);
    expect(a).not.toBe(b);
    expect(keyVersionOf(a)).toBe(3);
  });

  it('refuses an envelope with any single byte flipped', () => {
    const envelope = seal('123-45-6789', key, place);
    const bytes = Buffer.from(envelope.slice(4), 'base64url');
    for (let i = 0; i < bytes.length; i += 1) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i] ^ 0x01;
      expect(['not_authentic', 'malformed', 'unknown_key']).toContain(
        reasonOf(() => open(`cx1.${tampered.toString('base64url')}`, keyFor, place)),
      );
    }
  });

  it('refuses a truncated tag and garbage', () => {
    const envelope = seal('123-45-6789', key, place);
    expect(reasonOf(() => open(envelope.slice(0, -6), keyFor, place))).toMatch(
      /not_authentic|malformed/,
    );
    expect(reasonOf(() => open('cx1.AAAA', keyFor, place))).toBe('malformed');
    expect(reasonOf(() => open('plain text', keyFor, place))).toBe('malformed');
  });

  it.each([
    ['another account', { accountId: 'acc-2' }],
    ['another table', { table: 'crm_company' }],
    ['another field', { column: 'passport' }],
    ['another record', { recordId: 'rec-2' }],
  ])('refuses a ciphertext moved to %s', (_label, moved) => {
    const envelope = seal('123-45-6789', key, place);
    expect(reasonOf(() => open(envelope, keyFor, { ...place, ...moved }))).toBe('not_authentic');
  });

  it('refuses a value sealed with an unknown key version', () => {
    const other = { version: 9, key: createSecretKey(randomBytes(32)) };
    expect(reasonOf(() => open(seal('x', other, place), keyFor, place))).toBe('unknown_key');
  });
});

describe('envelope formats', () => {
  const entry: ValuePlace = { ...place, entry: 'history:h-1:new' };
  const formerPlace: ValuePlace = { ...place, table: 'crm_property_history', recordId: 'h-1:new' };

  it('writes the current format', () => {
    expect(envelopeFormatOf(seal('x', key, entry))).toBe(ENVELOPE_VERSION);
  });

  it('refuses a value moved to another entry of the same record and field', () => {
    const envelope = seal('123-45-6789', key, entry);
    expect(reasonOf(() => open(envelope, keyFor, { ...entry, entry: 'history:h-2:new' }))).toBe(
      'not_authentic',
    );
  });

  it('refuses a format-2 value at its former place', () => {
    const envelope = seal('123-45-6789', key, formerPlace);
    expect(reasonOf(() => open(envelope, keyFor, entry, formerPlace))).toBe('not_authentic');
  });

  it('opens a format-1 envelope at the former place it was bound to', () => {
    const envelope = sealInFormat(1, '123-45-6789', key, formerPlace);
    expect({
      format: envelopeFormatOf(envelope),
      value: open(envelope, keyFor, entry, formerPlace),
    }).toEqual({
      format: 1,
      value: '123-45-6789',
    });
  });

  it('refuses a format-1 envelope at any other former place', () => {
    const envelope = sealInFormat(1, '123-45-6789', key, formerPlace);
    expect(
      reasonOf(() => open(envelope, keyFor, entry, { ...formerPlace, recordId: 'h-2:new' })),
    ).toBe('not_authentic');
  });

  it.each([
    // Sealed by the release before the AAD was written in place; a changed byte of the AAD would
    // make every stored value unreadable.
    [1, 'cx1.AQAAAAczCPoRh5Vk--YlaIBrHiAINLU5esy2Yby4zhzKiDyqOm4Ft1MvHhwrmA', {}],
    [
      2,
      'cx1.AgAAAAeirfNKn55lScXHKNFF_ItUCyTW8ZiguWxU7MbGHXrzmRgcImsvUqIQUA',
      { entry: 'history:h-1:new' },
    ],
    [
      3,
      'cx1.AwAAAAe3ZomMmu1kWEr5MVMz8uK2fK6-09_cDjAEdiHSEn-zv4F7bs4S0ClstA',
      { recordId: 'rec-ü', subject: { kind: 'contact', id: 'rec-ü' } },
    ],
  ])('opens a format-%i envelope sealed by an earlier release', (_format, envelope, at) => {
    const stored = createSecretKey(Buffer.alloc(32, 7));
    const keyOf = (version: number) => (version === 7 ? stored : undefined);
    expect(open(envelope, keyOf, { ...place, ...at })).toBe('"123-45-6789"');
  });

  it('refuses an unknown format', () => {
    expect(reasonOf(() => open(sealInFormat(4, 'x', key, place), keyFor, place))).toBe('malformed');
  });
});

describe(isCanonicalBase64url.name, () => {
  it('accepts exactly what decoding then encoding again gives back unchanged', () => {
    const alphabet = [
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
      ...'+/= .\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(isCanonicalBase64url(text)).toBe(
          Buffer.from(text, 'base64url').toString('base64url') === text,
        );
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(isCanonicalBase64url(Buffer.from(bytes).toString('base64url'))).toBe(true);
      }),
    );
  });

  it('refuses an envelope written in another encoding of the same bytes', () => {
    const envelope = seal('123-45-6789', key, place);
    const text = envelope.slice(4);
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(
      text[text.length - 1],
    );
    const sameBytes = [
      `${text}==`,
      `${text.slice(0, 10)} ${text.slice(10)}`,
      text.replace(/-/g, '+').replace(/_/g, '/'),
      // The unused low bits of the last character set: it decodes to the same bytes.
      text.slice(0, -1) +
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last | 1],
    ].filter((other) => other !== text);
    expect(sameBytes.length).toBeGreaterThan(1);
    for (const other of sameBytes) {
      expect(reasonOf(() => open(`cx1.${other}`, keyFor, place))).toBe('malformed');
    }
  });
});

describe(NonceSource.name, () => {
  it('hands out 1,000,000 distinct 96-bit nonces', () => {
    const source = new NonceSource();
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i += 1) {
      seen.add(source.next().toString('base64'));
    }
    expect(seen.size).toBe(1_000_000);
  });
});
