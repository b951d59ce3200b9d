import fc from 'fast-check';
import type { Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { dialectOf, type PropertySchema } from '../kernel';
import { PropertyDefinitionService, PropertySchemaService } from '../properties';
import { CrmAccessService, RecordQuery } from '../records';
import { compileFilterGroups, type StoredFilterGroup } from './filter-sql';
import { startCrmTestApp, type CrmTestApp } from '../testing';

/** Values a contact may hold for the indexed properties: missing, JSON null, strings and numbers. */
const TIERS = [undefined, null, 'gold', 'silver', '5', 5, 5.5] as const;
/**
 * The number property's, as JSON text: numbers the filter reads as one (`5`, `5.0`, `5e0`, `"5"`
 * on PostgreSQL, which casts `->>`'s text; SQLite compares `json_extract`'s typed value), -0 and 0.
 */
const RANKS = [undefined, 'null', '5', '"5"', '5.0', '5e0', '5.5', '7', '-0', '"-0"', '0'] as const;
/** The bool property's, as JSON text: PostgreSQL's `::boolean` reads `"yes"`, `"t"` and `1` as true. */
const FLAGS = [undefined, 'null', 'true', 'false', '"true"', '"yes"', '"f"', '1', '0'] as const;
const COUNTRIES = [null, 'DE', 'FR'] as const;

/** A write to the contacts, as bulk SQL (every writer goes through the same triggers). */
const steps = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      tier: fc.nat(TIERS.length - 1),
      rank: fc.nat(RANKS.length - 1),
      owner: fc.nat(3),
      country: fc.nat(2),
      archived: fc.boolean(),
    }),
    fc.record({
      kind: fc.constantFrom('tier' as const, 'owner' as const, 'country' as const),
      row: fc.nat(),
      // Any tier and rank (their lengths are coprime), owner and country.
      value: fc.nat(TIERS.length * RANKS.length - 1),
    }),
    fc.record({
      kind: fc.constantFrom(
        'archive' as const,
        'restore' as const,
        'delete' as const,
        'touch' as const,
      ),
      row: fc.nat(),
    }),
  ),
  { minLength: 1, maxLength: 12 },
);

/**
 * The custom value counts (`<table>_custom_count`, kept by triggers for the properties the index
 * job registered): after any writes they are the `GROUP BY` of the live rows, and the total of a
 * page filtered by `eq` on an indexed custom property, read from them, is the `COUNT(*)` of the
 * same scope and filter for every reader.
 */
describe.each(testDatabaseKinds())('custom value counts on %s', (kind) => {
  let crm: CrmTestApp;
  let actors: Actor[];
  let owners: (string | null)[];
  const ids: string[] = [];
  let inserted = 0;
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  const schemaOf = () => crm.app.get(PropertySchemaService).schema('contacts');

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    const own = await crm.member([{ action: 'read', level: 'own' }]);
    const team = await crm.member([{ action: 'read', level: 'team' }]);
    const unit = await crm.member([{ action: 'read', level: 'business_unit' }]);
    actors = [crm.admin, own, team, unit];
    owners = [null, crm.admin.userId!, own.userId!, team.userId!];
    await crm.as(crm.admin, async () => {
      const definitions = crm.app.get(PropertyDefinitionService);
      await definitions.create('contacts', {
        name: 'tier',
        label: 'Tier',
        type: 'string',
        indexed: true,
      });
      await definitions.create('contacts', {
        name: 'rank',
        label: 'Rank',
        type: 'number',
        indexed: true,
      });
      await definitions.create('contacts', {
        name: 'vip',
        label: 'VIP',
        type: 'bool',
        indexed: true,
      });
      await definitions.create('contacts', { name: 'plain', label: 'Plain', type: 'string' });
    });
    // PostgreSQL builds indexes and fills the counts in a job.
    for (let tries = 0; tries < 300; tries += 1) {
      const schema = await crm.as(crm.admin, schemaOf);
      if (
        ['tier', 'rank', 'vip'].every((name) => schema.byName.get(name)?.indexState === 'ready')
      ) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('indexes not ready');
  });

  afterAll(async () => {
    await crm.close();
  });

  /** `custom` as JSON text, so that numbers keep the form they are written in. */
  const custom = (tier: number, rank: number) => {
    const entries = [
      ['tier', TIERS[tier] === undefined ? undefined : JSON.stringify(TIERS[tier])],
      ['rank', RANKS[rank % RANKS.length]],
      ['vip', FLAGS[(tier + rank) % FLAGS.length]],
    ].filter(([, json]) => json !== undefined);
    return `{${entries.map(([name, json]) => `"${name}":${json}`).join(',')}}`;
  };

  const apply = async (step: Step) => {
    const now = new Date().toISOString();
    const id = ids[step.kind === 'insert' ? 0 : step.row % Math.max(ids.length, 1)];
    const query = (sql: string, parameters: unknown[]) => crm.dataSource.query(sql, parameters);
    switch (step.kind) {
      case 'insert': {
        inserted += 1;
        const newId = `00000000-0000-7000-8000-${String(inserted).padStart(12, '0')}`;
        ids.push(newId);
        await query(
          `INSERT INTO crm_contact (id, account_id, custom, created_at, updated_at, archived_at, owner_id, country) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(p).join(', ')})`,
          [
            newId,
            crm.accountId,
            custom(step.tier, step.rank),
            now,
            now,
            step.archived ? now : null,
            owners[step.owner],
            COUNTRIES[step.country],
          ],
        );
        return;
      }
      case 'tier':
      case 'owner':
      case 'country': {
        if (ids.length === 0) {
          return;
        }
        const [column, value] = {
          tier: ['custom', custom(step.value % TIERS.length, step.value)],
          owner: ['owner_id', owners[step.value % owners.length]],
          country: ['country', COUNTRIES[step.value % COUNTRIES.length]],
        }[step.kind];
        return query(`UPDATE crm_contact SET ${column} = ${p(1)} WHERE id = ${p(2)}`, [value, id]);
      }
      case 'archive':
      case 'restore':
      case 'touch':
        return ids.length
          ? query(
              {
                archive: `UPDATE crm_contact SET archived_at = ${p(1)} WHERE id = ${p(2)}`,
                restore: `UPDATE crm_contact SET archived_at = NULL, updated_at = ${p(1)} WHERE id = ${p(2)}`,
                touch: `UPDATE crm_contact SET updated_at = ${p(1)} WHERE id = ${p(2)}`,
              }[step.kind],
              [now, id],
            )
          : undefined;
      case 'delete':
        if (ids.length) {
          await query(`DELETE FROM crm_contact WHERE id = ${p(1)}`, [id]);
          ids.splice(ids.indexOf(id), 1);
        }
        return;
    }
  };

  /**
   * The counts of `property` (of `type`) against the GROUP BY of the live rows (zero counts left
   * out); on PostgreSQL, of their values as the counts read them.
   */
  const expectCountsExact = async (property: string, type: string) => {
    const value =
      kind === 'postgres'
        ? `crm_custom_count_value(custom::jsonb ->> '${property}', '${type}')`
        : `json_extract(custom, '$.${property}')`;
    const rows = (sql: string, parameters: unknown[]) =>
      crm.dataSource
        .query<Record<string, unknown>[]>(sql, parameters)
        .then((found) =>
          found.map((row) => JSON.stringify({ ...row, live: Number(row.live) })).sort(),
        );
    const key = 'owner_id, business_unit_id, country, lifecyclestage';
    expect(
      await rows(
        `SELECT value, ${key}, live FROM crm_contact_custom_count WHERE account_id = ${p(1)} AND property_name = ${p(2)} AND live <> 0`,
        [crm.accountId, property],
      ),
    ).toEqual(
      await rows(
        `SELECT ${value} AS value, ${key}, COUNT(*) AS live FROM crm_contact WHERE account_id = ${p(1)} AND archived_at IS NULL AND ${value} IS NOT NULL GROUP BY ${value}, ${key}`,
        [crm.accountId],
      ),
    );
  };

  /** The total from the counts where they answer, and `COUNT(*)` of the same scope and filter. */
  const totals = (actor: Actor, groups: StoredFilterGroup[]) =>
    crm.as(actor, async () => {
      const schema: PropertySchema = await schemaOf();
      const access = await crm.app.get(CrmAccessService).forSchema(schema);
      const query = crm.app.get(RecordQuery);
      const dialect = dialectOf(kind);
      const scope = query
        .scope(schema, access)
        .and(compileFilterGroups(schema, dialect, groups, 'f', 'filterGroups', access.sensitive));
      return {
        fromCounts: scope.fromValueCounts() !== undefined,
        total: await query.count(scope),
        counted: await query.count(scope.and({ sql: '1 = 1', parameters: {} })),
      };
    });

  const filters: StoredFilterGroup[][] = [
    [{ filters: [{ propertyName: 'tier', operator: 'eq', value: 'gold' }] }],
    [{ filters: [{ propertyName: 'tier', operator: 'eq', value: '5' }] }],
    [{ filters: [{ propertyName: 'rank', operator: 'eq', value: 5 }] }],
    [{ filters: [{ propertyName: 'rank', operator: 'eq', value: '5.0' }] }],
    [{ filters: [{ propertyName: 'rank', operator: 'eq', value: 0 }] }],
    [{ filters: [{ propertyName: 'vip', operator: 'eq', value: true }] }],
    [{ filters: [{ propertyName: 'vip', operator: 'eq', value: false }] }],
    [
      {
        filters: [
          { propertyName: 'tier', operator: 'eq', value: 'silver' },
          { propertyName: 'country', operator: 'eq', value: 'DE' },
        ],
      },
    ],
  ];

  it('keeps the counts the GROUP BY of the live rows, and totals equal COUNT(*) for every reader', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (sequence) => {
        for (const step of sequence) {
          await apply(step);
        }
        await expectCountsExact('tier', 'string');
        await expectCountsExact('rank', 'number');
        await expectCountsExact('vip', 'bool');
        for (const actor of actors) {
          for (const groups of filters) {
            const { fromCounts, total, counted } = await totals(actor, groups);
            expect({ fromCounts, total }).toEqual({ fromCounts: true, total: counted });
          }
        }
      }),
      // Besides random ones, a live row of every rank and flag, under one owner and country.
      { numRuns: 10, examples: [[RANKS.map((_, rank) => everyValue(rank))]] },
    );
  });

  it('answers from the counts only for an eq on an indexed, ready property it can search', async () => {
    const { fromCounts: tier } = await totals(crm.admin, filters[0]);
    const { fromCounts: both } = await totals(crm.admin, filters.at(-1)!);
    const { fromCounts: rank } = await totals(crm.admin, filters[2]);
    const { fromCounts: vip } = await totals(crm.admin, filters[5]);
    const { fromCounts: plain } = await totals(crm.admin, [
      { filters: [{ propertyName: 'plain', operator: 'eq', value: 'x' }] },
    ]);
    const { fromCounts: neq } = await totals(crm.admin, [
      { filters: [{ propertyName: 'tier', operator: 'neq', value: 'gold' }] },
    ]);
    const { fromCounts: either } = await totals(crm.admin, [
      { filters: [{ propertyName: 'tier', operator: 'eq', value: 'gold' }] },
      { filters: [{ propertyName: 'tier', operator: 'eq', value: 'silver' }] },
    ]);
    expect({ tier, both, rank, vip, plain, neq, either }).toEqual({
      tier: true,
      both: true,
      rank: true,
      vip: true,
      plain: false,
      neq: false,
      either: false,
    });
  });

  it('clears the counts when the property is unmarked, and refills them when marked again', async () => {
    const count = async () => {
      const [row] = await crm.dataSource.query<{ n: string | number }[]>(
        `SELECT COUNT(*) AS n FROM crm_contact_custom_count WHERE account_id = ${p(1)} AND property_name = 'tier'`,
        [crm.accountId],
      );
      return Number(row.n);
    };
    const registered = async () => {
      const [row] = await crm.dataSource.query<{ n: string | number }[]>(
        `SELECT COUNT(*) AS n FROM crm_counted_property WHERE account_id = ${p(1)} AND property_name = 'tier'`,
        [crm.accountId],
      );
      return Number(row.n);
    };
    const definitions = crm.app.get(PropertyDefinitionService);
    const until = async (check: () => Promise<boolean>) => {
      for (let tries = 0; tries < 300 && !(await check()); tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await apply({ kind: 'insert', tier: 2, rank: 0, owner: 1, country: 1, archived: false });
    await crm.as(crm.admin, () => definitions.update('contacts', 'tier', { indexed: false }));
    await until(async () => (await registered()) === 0 && (await count()) === 0);
    expect({ registered: await registered(), count: await count() }).toEqual({
      registered: 0,
      count: 0,
    });
    expect((await totals(crm.admin, filters[0])).fromCounts).toBe(false);
    // Written while not counted: the fill counts it.
    await apply({ kind: 'insert', tier: 2, rank: 0, owner: 2, country: 1, archived: false });
    await crm.as(crm.admin, () => definitions.update('contacts', 'tier', { indexed: true }));
    await until(
      async () => (await crm.as(crm.admin, schemaOf)).byName.get('tier')?.indexState === 'ready',
    );
    await expectCountsExact('tier', 'string');
    const { fromCounts, total, counted } = await totals(crm.admin, filters[0]);
    expect({ fromCounts, total }).toEqual({ fromCounts: true, total: counted });
  });
});

/** An insert of a live row of rank `rank` (and through it each flag). */
const everyValue = (rank: number): Step => ({
  kind: 'insert',
  tier: 0,
  rank,
  owner: 1,
  country: 1,
  archived: false,
});

type Step =
  | {
      kind: 'insert';
      tier: number;
      rank: number;
      owner: number;
      country: number;
      archived: boolean;
    }
  | { kind: 'tier' | 'owner' | 'country'; row: number; value: number }
  | { kind: 'archive' | 'restore' | 'delete' | 'touch'; row: number };
