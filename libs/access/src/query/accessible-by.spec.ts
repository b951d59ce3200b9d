import type { MongoQuery } from '@casl/ability';
import { createAccessAbility } from '../conditions/access-ability';
import { accessibleBy } from './accessible-by';

/** The SQL of one read rule on contacts, with the owner index taking `country` right after it. */
const sqlOf = (conditions: MongoQuery) =>
  accessibleBy(
    createAccessAbility([{ action: 'read', subject: 'contacts', conditions }]),
    'read',
    'contacts',
    {
      columnOf: (field) =>
        ({ ownerId: 'r.owner_id', businessUnitId: 'r.bu' })[field] ?? `r.${field}`,
      postgres: true,
      scopeFields: { ownerId: ['country'], businessUnitId: [] },
    },
  ).sql;

describe('accessibleBy scope fields', () => {
  it('keeps a test of the field indexed right after the owner plain, as an index condition', () => {
    expect(sqlOf({ ownerId: { $in: ['u1', 'u2'] }, country: { $in: ['DE', 'AT'] } })).toBe(
      '(r.owner_id IN (:...acc0) AND r.country IN (:...acc1))',
    );
  });

  it('writes a test of a later column beside the owner as a filter', () => {
    expect(sqlOf({ ownerId: { $in: ['u1'] }, lifecyclestage: { $in: ['lead'] } })).toBe(
      '(r.owner_id IN (:...acc0) AND (r.lifecyclestage IN (:...acc1)) IS TRUE)',
    );
  });

  it('writes every other test as a filter beside a business unit, also beside the owner', () => {
    expect(sqlOf({ businessUnitId: 'b1', country: 'DE' })).toBe(
      '(r.bu = :acc0 AND (r.country = :acc1) IS TRUE)',
    );
    expect(sqlOf({ $or: [{ ownerId: 'u1' }, { businessUnitId: 'b1' }], country: 'DE' })).toBe(
      '((r.owner_id = :acc0 OR r.bu = :acc1) AND (r.country = :acc2) IS TRUE)',
    );
  });

  it('leaves tests plain when no scope field is tested', () => {
    expect(sqlOf({ country: 'DE', lifecyclestage: { $in: ['lead'] } })).toBe(
      '(r.country = :acc0 AND r.lifecyclestage IN (:...acc1))',
    );
  });
});

/** The columns one read rule's condition declares, `custom` being stored in no column of its own. */
const columnsOf = (conditions: MongoQuery | undefined, storedIn?: (field: string) => string) =>
  accessibleBy(
    createAccessAbility([{ action: 'read', subject: 'contacts', conditions }]),
    'read',
    'contacts',
    {
      columnOf: (field) => `r.${field}`,
      postgres: false,
      storedIn:
        storedIn ??
        ((field) =>
          (({ ownerId: 'owner_id', country: 'country' }) as Record<string, string>)[field]),
    },
  ).columns;

describe('accessibleBy columns', () => {
  it('declares the column of every field tested, through negations too', () => {
    expect(
      columnsOf({
        $or: [{ ownerId: 'u1' }, { country: { $nin: ['DE'] } }],
        country: { $ne: 'FR' },
      }),
    ).toEqual(['owner_id', 'country']);
  });

  it('declares none when a field tested is stored in no column of its own', () => {
    expect(columnsOf({ country: 'DE', custom: 'x' })).toBeUndefined();
  });

  it('declares that an unconditional rule reads nothing', () => {
    expect(columnsOf(undefined)).toEqual([]);
  });

  it('declares none without storedIn', () => {
    expect(
      accessibleBy(
        createAccessAbility([
          { action: 'read', subject: 'contacts', conditions: { country: 'DE' } },
        ]),
        'read',
        'contacts',
        { columnOf: (field) => `r.${field}`, postgres: false },
      ).columns,
    ).toBeUndefined();
  });
});
