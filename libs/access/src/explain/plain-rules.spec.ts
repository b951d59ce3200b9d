import { createMongoAbility, subject } from '@casl/ability';
import { packRules, unpackRules } from '@casl/ability/extra';
import fc from 'fast-check';
import { createAccessAbility, type AccessRule } from '../conditions/access-ability';
import { plainRule, plainRules } from './plain-rules';

const NUMBERS = [0, 1, 2, 3];
const STRINGS = ['x', 'y', 'z'];

/** Field operators on `n` (numbers) or `s` (strings), possibly negated with `$not`. */
function operators(values: readonly (number | string)[]): fc.Arbitrary<Record<string, unknown>> {
  const value = fc.constantFrom(...values);
  const list = fc.uniqueArray(value, { minLength: 1, maxLength: 3 });
  const plain = fc
    .record(
      {
        $eq: value,
        $ne: value,
        $in: list,
        $nin: list,
        $lt: value,
        $lte: value,
        $gt: value,
        $gte: value,
        $exists: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .filter((ops) => Object.keys(ops).length > 0);
  return fc.oneof(
    plain,
    plain.map((ops) => ({ $not: ops })),
  );
}

const fieldCondition: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom(...NUMBERS).map((n) => ({ n })),
  fc.constantFrom(...STRINGS).map((s) => ({ s })),
  operators(NUMBERS).map((ops) => ({ n: ops })),
  operators(STRINGS).map((ops) => ({ s: ops })),
  fc.tuple(operators(NUMBERS), operators(STRINGS)).map(([n, s]) => ({ n, s })),
);

/** Conditions as `prepareCondition` leaves them: `$and`, `$or`, `$nor` and field operators. */
const condition: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{
  node: Record<string, unknown>;
}>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    fieldCondition,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((c) => ({ $and: c })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((c) => ({ $or: c })),
    tie('node').map((c) => ({ $nor: [c] })),
  ),
})).node;

/** Rules as stored (plain JSON: fast-check's records have no prototype, which ucast rejects). */
const rule: fc.Arbitrary<AccessRule> = fc
  .record({
    action: fc.constant('read'),
    subject: fc.constant('things'),
    inverted: fc.boolean(),
    conditions: fc.option(condition, { nil: undefined }),
  })
  .map((r) => JSON.parse(JSON.stringify(r)) as AccessRule);

const record = fc.record(
  { n: fc.constantFrom(...NUMBERS), s: fc.constantFrom(...STRINGS) },
  { requiredKeys: [] },
);

describe(plainRules.name, () => {
  it("gives CASL's stock createMongoAbility the same answers as the access matcher", () => {
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 4 }),
        fc.array(record, { minLength: 1, maxLength: 8 }),
        (rules, records) => {
          const ours = createAccessAbility(rules);
          const stock = createMongoAbility(unpackRules(packRules(plainRules(rules))));
          // Rules too large to rewrite are given coarser: then the stock ability may only say less.
          const exact = rules.every((r) => plainRule(r) !== null);
          for (const fields of records) {
            const expected = ours.can('read', subject('things', { ...fields }));
            const actual = stock.can('read', subject('things', { ...fields }));
            expect(exact ? actual : actual && !expected).toBe(exact ? expected : false);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('uses field operators only, one rule per alternative', () => {
    const rules = plainRules([
      {
        action: 'read',
        subject: 'contacts',
        reason: 'role:r:team',
        conditions: {
          $and: [{ ownerId: { $in: ['me', 'mate'] } }, { $or: [{ region: 'EMEA' }, { tier: 1 }] }],
        },
      },
      {
        action: 'read',
        subject: 'contacts',
        inverted: true,
        conditions: { $nor: [{ region: { $in: ['EMEA', 'APAC'] } }] },
      },
      { action: 'read', subject: 'contacts', fields: ['phone'], inverted: true },
    ]);
    expect(rules).toEqual([
      {
        action: 'read',
        subject: 'contacts',
        reason: 'role:r:team',
        conditions: { ownerId: { $in: ['me', 'mate'] }, region: { $eq: 'EMEA' } },
      },
      {
        action: 'read',
        subject: 'contacts',
        reason: 'role:r:team',
        conditions: { ownerId: { $in: ['me', 'mate'] }, tier: { $eq: 1 } },
      },
      {
        action: 'read',
        subject: 'contacts',
        inverted: true,
        conditions: { region: { $nin: ['EMEA', 'APAC'] } },
      },
      { action: 'read', subject: 'contacts', fields: ['phone'], inverted: true },
    ]);
  });

  it('gives rules with too many alternatives in a safe, coarser form', () => {
    const wide = { $or: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ n })) };
    const conditions = { $and: [wide, wide, wide, wide] };
    expect(
      plainRules([
        { action: 'read', subject: 'things', conditions },
        { action: 'read', subject: 'things', conditions, inverted: true },
      ]),
    ).toEqual([{ action: 'read', subject: 'things', inverted: true }]);
  });

  it('drops alternatives that contradict themselves', () => {
    expect(
      plainRules([
        { action: 'read', subject: 'things', conditions: { $and: [{ n: 1 }, { n: 2 }] } },
      ]),
    ).toEqual([]);
  });
});
