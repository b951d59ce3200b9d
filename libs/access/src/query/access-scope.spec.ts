import { createAccessAbility, type AccessRule } from '../conditions/access-ability';
import { accessScope } from './accessible-by';

const FIELDS = ['ownerId', 'businessUnitId'];
const scopeOf = (rules: AccessRule[]) =>
  accessScope(createAccessAbility(rules), 'read', 'contacts', FIELDS);

describe('accessScope', () => {
  it('answers all for an unconditional rule', () => {
    expect(scopeOf([{ action: 'read', subject: 'contacts' }])).toEqual({ all: true });
  });

  it('collects owner and unit values of OR-ed rules', () => {
    expect(
      scopeOf([
        { action: 'read', subject: 'contacts', conditions: { ownerId: 'u1' } },
        { action: 'read', subject: 'contacts', conditions: { ownerId: { $in: ['u2', 'u3'] } } },
        { action: 'read', subject: 'contacts', conditions: { businessUnitId: { $in: ['b1'] } } },
      ]),
    ).toEqual({
      all: false,
      values: { ownerId: expect.arrayContaining(['u1', 'u2', 'u3']), businessUnitId: ['b1'] },
    });
  });

  it.each<[string, AccessRule[]]>([
    ['no rule', []],
    [
      'a test of another field beside the owner',
      [{ action: 'read', subject: 'contacts', conditions: { ownerId: 'u1', country: 'DE' } }],
    ],
    [
      'a cannot rule',
      [
        { action: 'read', subject: 'contacts' },
        { action: 'read', subject: 'contacts', conditions: { ownerId: 'u1' }, inverted: true },
      ],
    ],
    [
      'a negated owner test',
      [{ action: 'read', subject: 'contacts', conditions: { ownerId: { $ne: 'u1' } } }],
    ],
    ['an empty owner', [{ action: 'read', subject: 'contacts', conditions: { ownerId: '' } }]],
    ['a missing owner', [{ action: 'read', subject: 'contacts', conditions: { ownerId: null } }]],
  ])('leaves %s to SQL', (_, rules) => {
    expect(scopeOf(rules)).toBeNull();
  });
});
