import { MAX_BODY_DEPTH, nestsDeeperThan } from './body-depth';

/** `levels` objects (or arrays) nested in one another. */
function nested(levels: number, kind: 'object' | 'array'): unknown {
  let value: unknown = kind === 'object' ? {} : [];
  for (let level = 1; level < levels; level += 1) {
    value = kind === 'object' ? { a: value } : [value];
  }
  return value;
}

describe(nestsDeeperThan.name, () => {
  it.each([null, 1, 'text', true])('counts the scalar %p as no level', (value) => {
    expect(nestsDeeperThan(value, 0)).toBe(false);
  });

  it.each(['object', 'array'] as const)('accepts %s nesting at exactly the limit', (kind) => {
    expect(nestsDeeperThan(nested(MAX_BODY_DEPTH, kind), MAX_BODY_DEPTH)).toBe(false);
  });

  it.each(['object', 'array'] as const)('refuses %s nesting one level past the limit', (kind) => {
    expect(nestsDeeperThan(nested(MAX_BODY_DEPTH + 1, kind), MAX_BODY_DEPTH)).toBe(true);
  });

  it('checks 100,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000, 'array'), MAX_BODY_DEPTH)).toBe(true);
  });

  it('finds a deep branch beside shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: [2, 3], c: nested(40, 'object') }, MAX_BODY_DEPTH)).toBe(
      true,
    );
  });
});
