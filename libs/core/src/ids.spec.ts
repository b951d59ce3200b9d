import fc from 'fast-check';
import { isId, newId } from './ids';

describe(newId.name, () => {
  it('returns RFC 9562 version-7 UUIDs', () => {
    const id = newId();
    expect(isId(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('orders ids by their creation time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 47 }),
        fc.integer({ min: 1, max: 2 ** 20 }),
        (t, delta) => {
          expect(newId(t) < newId(t + delta)).toBe(true);
        },
      ),
    );
  });

  it('does not repeat across many calls', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newId()));
    expect(ids.size).toBe(100_000);
  });
});
