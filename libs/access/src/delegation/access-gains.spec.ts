import { subject } from '@casl/ability';
import fc from 'fast-check';
import { buildAccess, type AccessInputs } from '../abilities/build-access';
import type { AccessLevel } from '../access.types';
import type { Condition } from '../conditions/condition-language';
import type { Role } from '../roles/role.entity';
import type { RecordRule } from '../rules/record-rule.entity';
import { accessGains, recordsGained } from './access-gains';

const NO_FIELDS = { restricted: new Map<string, Set<string>>() };

function facts(id: string, teamMemberIds: string[], unit: string, tree: string[] = [unit]) {
  return {
    id,
    teamIds: [],
    teamMemberIds: [id, ...teamMemberIds],
    businessUnitIds: [unit],
    businessUnitTreeIds: tree,
  };
}

function role(id: string, level: AccessLevel, taskPrivileges: Role['taskPrivileges'] = []): Role {
  return {
    id,
    accountId: 'a',
    name: id,
    description: '',
    privileges: [{ objectType: 'contacts', action: 'read', level }],
    taskPrivileges,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

function rule(
  id: string,
  roleId: string | null,
  effect: 'restrict' | 'deny',
  condition: Condition,
): RecordRule {
  return {
    id,
    accountId: 'a',
    roleId,
    name: id,
    objectType: 'contacts',
    actions: ['read'],
    effect,
    condition,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

function access(inputs: Partial<AccessInputs>) {
  return buildAccess({
    superAdmin: false,
    facts: facts('me', ['mate'], 'emea'),
    roles: [],
    rules: [],
    fieldPermissions: [],
    ...inputs,
  });
}

describe(recordsGained.name, () => {
  it('finds the gain of a second restrict rule OR’ed into a role the actor holds', () => {
    const held = role('r', 'account');
    const before = access({
      roles: [held],
      rules: [rule('1', 'r', 'restrict', { region: 'EMEA' })],
    });
    const after = access({
      roles: [held],
      rules: [
        rule('1', 'r', 'restrict', { region: 'EMEA' }),
        rule('2', 'r', 'restrict', { region: 'APAC' }),
      ],
    });
    expect(recordsGained(before, before, after, 'read', 'contacts')).toBe(true);
  });

  it('finds the gain of deleting a deny rule that binds the actor', () => {
    const held = role('r', 'team');
    const before = access({ roles: [held], rules: [rule('d', 'r', 'deny', { vip: true })] });
    const after = access({ roles: [held] });
    expect(recordsGained(before, before, after, 'read', 'contacts')).toBe(true);
  });

  it('accepts narrowing: an added deny rule or a narrower level', () => {
    const before = access({ roles: [role('r', 'team')] });
    const denied = access({
      roles: [role('r', 'team')],
      rules: [rule('d', null, 'deny', { vip: true })],
    });
    const own = access({ roles: [role('r', 'own')] });
    expect(recordsGained(before, before, denied, 'read', 'contacts')).toBe(false);
    expect(recordsGained(before, before, own, 'read', 'contacts')).toBe(false);
  });

  it('lets an actor give another user what the actor may do, and not more', () => {
    const actor = access({ roles: [role('r', 'business_unit')] });
    const colleagueFacts = facts('colleague', [], 'emea');
    const colleagueBefore = access({ facts: colleagueFacts });
    const sameUnit = access({ facts: colleagueFacts, roles: [role('r', 'business_unit')] });
    const strangerFacts = facts('stranger', [], 'apac');
    const otherUnit = access({ facts: strangerFacts, roles: [role('r', 'business_unit')] });
    expect(recordsGained(actor, colleagueBefore, sameUnit, 'read', 'contacts')).toBe(false);
    expect(recordsGained(actor, null, otherUnit, 'read', 'contacts')).toBe(true);
  });

  it('finds a gain inside a numeric range the actor lacks', () => {
    const actor = access({
      roles: [role('r', 'account')],
      rules: [rule('1', 'r', 'restrict', { amount: { $lt: 100 } })],
    });
    const wider = access({
      facts: facts('u', [], 'emea'),
      roles: [role('r', 'account')],
      rules: [rule('1', 'r', 'restrict', { amount: { $lte: 100 } })],
    });
    const narrower = access({
      facts: facts('u', [], 'emea'),
      roles: [role('r', 'account')],
      rules: [rule('1', 'r', 'restrict', { amount: { $lt: 50 } })],
    });
    expect(recordsGained(actor, null, wider, 'read', 'contacts')).toBe(true);
    expect(recordsGained(actor, null, narrower, 'read', 'contacts')).toBe(false);
  });
});

describe(accessGains.name, () => {
  it('names task privileges, fields and super-admin status the actor lacks', () => {
    const actor = access({ roles: [role('r', 'own', ['manage_roles'])] });
    const after = access({ facts: facts('u', [], 'x'), roles: [role('q', 'own', ['export'])] });
    expect(accessGains('u', actor, null, after, NO_FIELDS)).toEqual([
      { userId: 'u', kind: 'task_privilege', privilege: 'export' },
      // "own" for u is u's records, which the actor (own: theirs) cannot read.
      { userId: 'u', kind: 'records', action: 'read', objectType: 'contacts' },
    ]);
    expect(accessGains('u', actor, null, access({ superAdmin: true }), NO_FIELDS)).toEqual([
      { userId: 'u', kind: 'super_admin' },
    ]);
  });

  it('finds a field opened to a user when the actor may not view it', () => {
    const permission = (principalId: string) => ({
      id: principalId,
      accountId: 'a',
      objectType: 'contacts',
      property: 'salary',
      access: 'view' as const,
      principalType: 'user' as const,
      principalId,
    });
    const actor = access({ fieldPermissions: [permission('hr')] });
    const uBefore = access({ facts: facts('u', [], 'x'), fieldPermissions: [permission('hr')] });
    const uAfter = access({
      facts: facts('u', [], 'x'),
      fieldPermissions: [permission('hr'), permission('u')],
    });
    const fields = { restricted: new Map([['contacts', new Set(['salary'])]]) };
    expect(accessGains('u', actor, uBefore, uAfter, fields)).toEqual([
      { userId: 'u', kind: 'field', access: 'view', objectType: 'contacts', property: 'salary' },
      { userId: 'u', kind: 'field', access: 'edit', objectType: 'contacts', property: 'salary' },
    ]);
  });
});

/**
 * Soundness and completeness against concrete records: for random rule sets over a few fields,
 * the check says "gain" exactly when some record (drawn from values around the rules' constants)
 * is one the new access may read and neither the old one nor the actor's may.
 */
describe('recordsGained against concrete records', () => {
  const owners = ['me', 'mate', 'u', 'v'];
  const units = ['emea', 'apac', 'us'];
  const regions = ['EMEA', 'APAC', 'EMEB'];
  const amounts = [0, 50, 100, 150];
  const leaf = fc.oneof(
    fc.constantFrom(...regions).map((r) => ({ region: r })),
    fc.constantFrom(...regions).map((r) => ({ region: { $ne: r } })),
    fc.subarray(regions, { minLength: 1 }).map((list) => ({ region: { $in: list } })),
    fc.constantFrom(...amounts).map((a) => ({ amount: { $gte: a } })),
    fc.constantFrom(...amounts).map((a) => ({ amount: { $lt: a } })),
    fc.boolean().map((b) => ({ amount: { $exists: b } })),
    fc.boolean().map((b) => ({ vip: b })),
    fc.constantFrom(...owners).map((o) => ({ ownerId: o })),
  );
  const condition: fc.Arbitrary<Condition> = fc.oneof(
    leaf,
    fc.array(leaf, { minLength: 1, maxLength: 3 }).map((list) => ({ $or: list })),
    leaf.map((l) => ({ $not: l })),
  );
  const level = fc.constantFrom<AccessLevel>('own', 'team', 'business_unit', 'account');
  const setup = fc.record({
    level,
    rules: fc.array(
      fc.record({
        roleBound: fc.boolean(),
        effect: fc.constantFrom<'restrict' | 'deny'>('restrict', 'deny'),
        condition,
      }),
      { maxLength: 3 },
    ),
  });
  type Setup = typeof setup extends fc.Arbitrary<infer T> ? T : never;
  const user = (id: string, unit: string, s: Setup | null) =>
    s === null
      ? null
      : access({
          facts: facts(id, id === 'me' ? ['mate'] : ['v'], unit),
          roles: [role('r', s.level)],
          rules: s.rules.map((r, i) =>
            rule(`${i}`, r.roleBound ? 'r' : null, r.effect, r.condition),
          ),
        });
  const records = units.flatMap((unit) =>
    [undefined, ...owners, 'nobody'].flatMap((ownerId) =>
      [undefined, ...regions, 'OTHER'].flatMap((region) =>
        [undefined, -1, ...amounts, 25, 75, 125, 200].flatMap((amount) =>
          [undefined, true, false].map((vip) =>
            Object.fromEntries(
              Object.entries({ businessUnitId: unit, ownerId, region, amount, vip }).filter(
                ([, v]) => v !== undefined,
              ),
            ),
          ),
        ),
      ),
    ),
  );

  it('agrees with a brute-force search over records', () => {
    fc.assert(
      fc.property(setup, fc.option(setup), setup, (actorSetup, beforeSetup, afterSetup) => {
        const actor = user('me', 'emea', actorSetup)!;
        const before = user('u', 'apac', beforeSetup);
        const after = user('u', 'apac', afterSetup)!;
        const can = (a: typeof actor | null, r: Record<string, unknown>) =>
          a !== null && a.ability.can('read', subject('contacts', { ...r }));
        const witness = records.some((r) => can(after, r) && !can(before, r) && !can(actor, r));
        expect(recordsGained(actor, before, after, 'read', 'contacts')).toBe(witness);
      }),
      { numRuns: 300 },
    );
  });
});
