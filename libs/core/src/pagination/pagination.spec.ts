import fc from 'fast-check';
import { CustosError } from '../errors/custos-error';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe(encodeCursor.name, () => {
  it('round-trips any key tuple through decodeCursor', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 4 }),
        (keys) => {
          expect(decodeCursor(encodeCursor(keys), keys.length)).toEqual(keys);
        },
      ),
    );
  });

  it.each([
    '',
    'not base64 at all!',
    Buffer.from('{"k":[{}]}').toString('base64url'),
    encodeCursor(['a', 'b']),
  ])('refuses the forged or foreign cursor %p with a 422 naming `after`', (cursor) => {
    expect(() => decodeCursor(cursor, 1)).toThrow(CustosError);
    try {
      decodeCursor(cursor, 1);
    } catch (error) {
      expect(error).toMatchObject({
        kind: 'validation',
        options: { errors: [{ field: 'after' }] },
      });
    }
  });
});

describe(toPage.name, () => {
  it('returns a next cursor only when there was an extra row', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const full = toPage(
      rows,
      2,
      (r) => [r.id],
      (r) => r.id,
    );
    expect(full).toEqual({ results: ['a', 'b'], paging: { next: { after: encodeCursor(['b']) } } });
    expect(
      toPage(
        rows,
        3,
        (r) => [r.id],
        (r) => r.id,
      ).paging,
    ).toEqual({});
  });
});
