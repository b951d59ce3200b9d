import fc from 'fast-check';
import { newId, type Actor } from '@custos/core';
import { RecordRuleService, type Condition } from '@custos/access';
import { testDatabaseKinds } from '@custos/core/testing';
import { Membership, TeamService } from '@custos/identity';
import { dialectOf } from '../kernel';
import { PropertyDefinitionService, PropertySchemaService } from '../properties';
import { CrmAccessService, RecordQuery } from '../records';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { compileFilterGroups, type StoredFilterGroup } from './filter-sql';
import { SearchService } from './search.service';
import type { FilterDto } from './search.dto';

const TIER = 'tier';
const COUNTRIES = ['DE', 'FR', 'AT', null] as const;
const STAGES = ['lead', 'customer', 'other', null] as const;

/** A contact as the run writes it: indexes into the owners and units, and its values. */
interface Contact {
  owner: number;
  unit: number;
  country: (typeof COUNTRIES)[number];
  stage: (typeof STAGES)[number];
  lastname: string | null;
  tier: string | null;
  archived: boolean;
}

const contact: fc.Arbitrary<Contact> = fc.record({
  owner: fc.nat(5),
  unit: fc.nat(2),
  country: fc.constantFrom(...COUNTRIES),
  stage: fc.constantFrom(...STAGES),
  lastname: fc.constantFrom('Ada', 'Bob', null),
  tier: fc.constantFrom('gold', 'bronze', null),
  archived: fc.boolean(),
});

/** A test of one live-counted column, as a rule condition and as a search filter. */
const countedTest = fc.oneof(
  fc.record({
    field: fc.constantFrom('country' as const),
    operator: fc.constantFrom('eq', 'ne', 'in', 'nin', 'exists', 'missing'),
    values: fc.uniqueArray(fc.constantFrom('DE', 'FR', 'AT', 'CH'), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    field: fc.constantFrom('lifecyclestage' as const),
    operator: fc.constantFrom('eq', 'ne', 'in', 'nin', 'exists', 'missing'),
    values: fc.uniqueArray(fc.constantFrom('lead', 'customer', 'other'), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
);
/** A test of one column: `field` `operator` (`missing`: not set) `values`. */
interface ColumnTest {
  field: string;
  operator: string;
  values: readonly string[];
}

/** A test of a column the live counts do not hold: a standard one, or a custom property. */
const otherTest: fc.Arbitrary<ColumnTest> = fc.record({
  field: fc.constantFrom('lastname', TIER),
  operator: fc.constantFrom('eq', 'missing'),
  values: fc.constantFrom(['Ada'], ['gold']),
});

function asCondition({ field, operator, values }: ColumnTest): Condition {
  switch (operator) {
    case 'eq':
      return { [field]: values[0] };
    case 'ne':
      return { [field]: { $ne: values[0] } };
    case 'in':
      return { [field]: { $in: values } };
    case 'nin':
      return { [field]: { $nin: values } };
    case 'exists':
      return { [field]: { $exists: true } };
    default:
      return { [field]: { $exists: false } };
  }
}

function asFilter({ field, operator, values }: ColumnTest): FilterDto {
  const filter = (op: string, more: object = {}) =>
    ({ propertyName: field, operator: op, ...more }) as FilterDto;
  switch (operator) {
    case 'eq':
      return filter('eq', { value: values[0] });
    case 'ne':
      return filter('neq', { value: values[0] });
    case 'in':
      return filter('in', { values });
    case 'nin':
      return filter('not_in', { values });
    case 'exists':
      return filter('has_property');
    default:
      return filter('not_has_property');
  }
}

/**
 * Totals from the live counts (`crm_contact_live_count`) against what the page shows: for any
 * records, any record rule and any filters on the counted columns, every reader's total is the
 * number of records their page holds, and a rule or filter on any other column is counted with
 * `COUNT(*)`, never from the counts.
 */
describe.each(testDatabaseKinds())('search totals from the live counts on %s', (kind) => {
  let crm: CrmTestApp;
  let readers: Actor[];
  /** Owners a record may get: nobody, the admin and the readers. */
  let owners: (string | null)[];
  /** Business units a record may be in: none, the readers' unit, another. */
  let units: (string | null)[];

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    readers = [
      await crm.member([{ action: 'read', level: 'own' }]),
      await crm.member([{ action: 'read', level: 'business_unit' }]),
      await crm.member([{ action: 'read', level: 'account' }]),
      await crm.member([{ action: 'read', level: 'team' }]),
    ];
    // The team reader's team holds the own-level reader too: their scope is two owners.
    await crm.as(crm.admin, async () => {
      const teams = crm.app.get(TeamService);
      const team = await teams.create({ name: 'Totals team' });
      await teams.addMembers(team.id, [readers[3].userId!, readers[0].userId!]);
    });
    owners = [null, crm.admin.userId!, ...readers.map((reader) => reader.userId!)];
    const [membership] = await crm.dataSource.manager.findBy(Membership, {
      accountId: crm.accountId,
      userId: readers[1].userId!,
    });
    units = [null, membership.businessUnitId, newId()];
    await crm.as(crm.admin, () =>
      crm.app
        .get(PropertyDefinitionService)
        .create('contacts', { name: TIER, label: 'Tier', type: 'string' }),
    );
  });

  afterAll(async () => {
    await crm.close();
  });

  /** Replaces the account's contacts with `contacts`, in one multi-row statement. */
  const writeContacts = async (contacts: readonly Contact[]): Promise<void> => {
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    await crm.dataSource.query(`DELETE FROM crm_contact WHERE account_id = ${p(1)}`, [
      crm.accountId,
    ]);
    if (contacts.length === 0) {
      return;
    }
    const now = new Date().toISOString();
    const values = contacts.flatMap((c) => [
      newId(),
      crm.accountId,
      owners[c.owner],
      units[c.unit],
      JSON.stringify(c.tier ? { [TIER]: c.tier } : {}),
      now,
      now,
      c.archived ? now : null,
      c.country,
      c.stage,
      c.lastname,
    ]);
    await crm.dataSource.query(
      `INSERT INTO crm_contact (id, account_id, owner_id, business_unit_id, custom, created_at, updated_at, archived_at, country, lifecyclestage, lastname) VALUES ${contacts
        .map((_, i) => `(${Array.from({ length: 11 }, (__, j) => p(i * 11 + j + 1)).join(', ')})`)
        .join(', ')}`,
      values,
    );
  };

  /** `work` under an account-wide restrict rule of `condition` on reading contacts (if any). */
  const underRule = async <T>(
    condition: Condition | undefined,
    work: () => Promise<T>,
  ): Promise<T> => {
    if (!condition) {
      return work();
    }
    const rules = crm.app.get(RecordRuleService);
    const rule = await crm.as(crm.admin, () =>
      rules.create({
        name: 'Totals rule',
        objectType: 'contacts',
        actions: ['read'],
        effect: 'restrict',
        condition,
      }),
    );
    try {
      return await work();
    } finally {
      await crm.as(crm.admin, () => rules.remove(rule.id));
    }
  };

  /** The search's total and page, and whether the live counts answer that total. */
  const searched = (actor: Actor, filterGroups: StoredFilterGroup[]) =>
    crm.as(actor, async () => {
      const { value } = await crm.app
        .get(SearchService)
        .search('contacts', { filterGroups, limit: 100 });
      const schema = await crm.app.get(PropertySchemaService).schema('contacts');
      const access = await crm.app.get(CrmAccessService).forSchema(schema);
      const filter = compileFilterGroups(schema, dialectOf(kind), filterGroups);
      const scope = crm.app.get(RecordQuery).scope(schema, access).and(filter);
      return {
        total: value.total,
        shown: value.results.length,
        fromCounts: !!scope.fromLiveCounts(),
      };
    });

  it('answers every total over the counted columns as the number of records the page shows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contact, { maxLength: 40 }),
        fc.option(countedTest, { nil: undefined }),
        fc.array(fc.array(countedTest, { minLength: 1, maxLength: 2 }), { maxLength: 2 }),
        async (contacts, rule, groups) => {
          await writeContacts(contacts);
          const filterGroups = groups.map((filters) => ({ filters: filters.map(asFilter) }));
          await underRule(rule && asCondition(rule), async () => {
            for (const actor of [crm.admin, ...readers]) {
              const { total, shown, fromCounts } = await searched(actor, filterGroups);
              expect(fromCounts).toBe(true);
              expect(total).toBe(shown);
            }
          });
        },
      ),
      { numRuns: 15 },
    );
  });

  it("never counts a restricted reader's records outside their rule, whatever the filter", async () => {
    const mine = { owner: 2, unit: 0, stage: null, lastname: null, archived: false } as const;
    await writeContacts([
      { ...mine, country: 'DE', tier: 'gold' },
      { ...mine, country: 'DE', tier: 'gold' },
      { ...mine, country: 'DE', tier: 'bronze' },
      { ...mine, country: 'FR', tier: 'gold' },
      { ...mine, country: null, tier: 'gold' },
      { ...mine, country: 'DE', tier: 'gold', archived: true },
      { ...mine, owner: 1, country: 'DE', tier: 'gold' },
    ]);
    await underRule({ country: { $in: ['DE'] } }, async () => {
      const own = readers[0];
      const byTier = await searched(own, [
        { filters: [{ propertyName: TIER, operator: 'eq', value: 'gold' }] },
      ]);
      expect(byTier).toEqual({ total: 2, shown: 2, fromCounts: false });
      const byCountry = await searched(own, [
        {
          filters: [{ propertyName: 'country', operator: 'in', values: ['DE', 'FR'] }],
        },
      ]);
      expect(byCountry).toEqual({ total: 3, shown: 3, fromCounts: true });
      const all = await searched(own, []);
      expect(all).toEqual({ total: 3, shown: 3, fromCounts: true });
      // The team reader's team holds the owner: the same three, from the counts too.
      expect(await searched(readers[3], [])).toEqual({ total: 3, shown: 3, fromCounts: true });
    });
  });

  it('counts with COUNT(*) when a rule or a filter tests a column the counts do not hold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contact, { minLength: 1, maxLength: 30 }),
        countedTest,
        otherTest,
        fc.boolean(),
        async (contacts, counted, other, otherInRule) => {
          await writeContacts(contacts);
          const condition = otherInRule
            ? { $and: [asCondition(counted), asCondition(other)] }
            : asCondition(counted);
          const filterGroups = otherInRule ? [] : [{ filters: [asFilter(other)] }];
          await underRule(condition, async () => {
            for (const actor of readers) {
              const { total, shown, fromCounts } = await searched(actor, filterGroups);
              expect(fromCounts).toBe(false);
              expect(total).toBe(shown);
            }
          });
        },
      ),
      { numRuns: 10 },
    );
  });
});
