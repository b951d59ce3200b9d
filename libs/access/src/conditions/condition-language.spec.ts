import { CustosError } from '@custos/core';
import { prepareCondition, validateCondition, type FieldType } from './condition-language';

const FIELDS: Record<string, FieldType> = {
  ownerId: 'string',
  amount: 'number',
  region: 'string',
  won: 'boolean',
};

function failure(condition: unknown): { field: string; message: string } {
  try {
    validateCondition(condition, FIELDS);
  } catch (error) {
    expect(error).toBeInstanceOf(CustosError);
    return (error as CustosError).options.errors![0];
  }
  throw new Error('expected the condition to be refused');
}

describe(validateCondition.name, () => {
  it.each([
    { ownerId: '$user.id' },
    { ownerId: { $in: '$user.teamMemberIds' } },
    { amount: { $gte: 1000, $lt: 5000 }, region: { $in: ['EMEA', 'APAC'] } },
    { $or: [{ region: 'EMEA' }, { won: true }] },
    { $not: { region: 'EMEA' } },
    { amount: { $not: { $gte: 100 } } },
    { region: { $exists: false } },
  ])('accepts %j', (condition) => {
    expect(() => validateCondition(condition, FIELDS)).not.toThrow();
  });

  it.each([
    [{ region: { $regex: '^E' } }, 'conditions.region.$regex', 'not allowed'],
    [{ $where: 'this.amount > 1' }, 'conditions.$where', 'not allowed'],
    [{ salary: 1 }, 'conditions.salary', 'unknown field'],
    [{ amount: '100' }, 'conditions.amount', 'must be a number'],
    [{ region: null }, 'conditions.region', 'use $exists'],
    [{ amount: { $in: [1, 'two'] } }, 'conditions.amount.$in[1]', 'must be a number'],
    [{ amount: '$user.id' }, 'conditions.amount', 'cannot be compared'],
    [{ region: '$user.teamIds' }, 'conditions.region', 'misplaced placeholder'],
    [{ won: { $gt: true } }, 'conditions.won.$gt', 'no order'],
    [{ $or: [] }, 'conditions.$or', 'list of 1 to 50'],
    [{ region: { toString: 'x' } }, 'conditions.region.toString', 'not allowed'],
    [[], 'conditions', 'must be an object'],
  ])('refuses %j naming %s', (condition, field, message) => {
    const error = failure(condition);
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('refuses conditions nested too deeply', () => {
    let condition: object = { region: 'EMEA' };
    for (let i = 0; i < 12; i += 1) {
      condition = { $not: condition };
    }
    expect(failure(condition).message).toContain('deeper');
  });
});

describe(prepareCondition.name, () => {
  const facts = {
    id: 'u1',
    teamIds: ['t1'],
    teamMemberIds: ['u1', 'u2'],
    businessUnitIds: ['b1'],
    businessUnitTreeIds: ['b1', 'b2'],
  };

  it('resolves placeholders, bounds ranges to present values and spells a document negation as $nor', () => {
    expect(
      prepareCondition(
        { ownerId: { $in: '$user.teamMemberIds' }, amount: { $lt: 5 }, $not: { region: 'EMEA' } },
        facts,
      ),
    ).toEqual({
      ownerId: { $in: ['u1', 'u2'] },
      amount: { $lt: 5, $exists: true },
      $nor: [{ region: 'EMEA' }],
    });
  });
});
