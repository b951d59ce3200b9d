import fc from 'fast-check';
import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { expectProblem, walkPages } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  callerOf,
  createProperty,
  createRecord,
  createRecords,
  expectStatus,
  uniqueName,
  type Caller,
  type RecordView,
} from './crm-support';

type Value = string | number | boolean | null;
interface Filter {
  propertyName: string;
  operator: string;
  value?: Value;
  highValue?: Value;
  values?: Value[];
}
interface Sort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

const cursorOf = (keys: unknown[]) =>
  Buffer.from(JSON.stringify({ k: keys }), 'utf8').toString('base64url');

describe.each(testDatabaseKinds())('CRM search on %s', (kind) => {
  let server: TestServer;
  let clock: FixedClock;
  let admin: Caller;
  let adminUserId: string;
  /** Custom properties of contacts: a number, a string, a bool, a date, a datetime, an enumeration. */
  const custom = { n: '', s: '', flag: '', d: '', dt: '', tier: '' };
  const TAG = 'Search Dataset';
  /** The dataset's records by their letter (held in `firstname`). */
  const byLetter = new Map<string, RecordView>();
  let t0: number;

  const search = (body: object, objectType = 'contacts') =>
    admin.post(`/api/v1/objects/${objectType}/search`, body);
  /** Searches the dataset with one AND-ed filter group (plus the dataset's tag). */
  const letters = async (filterGroups: Filter[][], sorts: Sort[] = []): Promise<string> => {
    const response = expectStatus(
      await search({
        filterGroups: filterGroups.map((filters) => ({
          filters: [{ propertyName: 'company', operator: 'eq', value: TAG }, ...filters],
        })),
        sorts,
        properties: ['firstname'],
        limit: 100,
      }),
      200,
    );
    const results = response.body.results as RecordView[];
    expect(response.body.total).toBe(results.length);
    const found = results.map((r) => r.properties.firstname as string);
    return sorts.length > 0 ? found.join('') : found.sort().join('');
  };

  beforeAll(async () => {
    clock = new FixedClock(new Date('2026-05-01T12:00:00.000Z'));
    server = await startTestServer(kind, { clock });
    admin = callerOf(server, await server.login());
    adminUserId = (await admin.get('/api/v1/me')).body.user.id as string;
    custom.n = (
      await createProperty(admin, 'contacts', { name: 'n', label: 'N', type: 'number' })
    ).name;
    custom.s = (
      await createProperty(admin, 'contacts', { name: 's', label: 'S', type: 'string' })
    ).name;
    custom.flag = (
      await createProperty(admin, 'contacts', { name: 'flag', label: 'Flag', type: 'bool' })
    ).name;
    custom.d = (
      await createProperty(admin, 'contacts', { name: 'd', label: 'D', type: 'date' })
    ).name;
    custom.dt = (
      await createProperty(admin, 'contacts', { name: 'dt', label: 'Dt', type: 'datetime' })
    ).name;
    custom.tier = (
      await createProperty(admin, 'contacts', {
        name: 'tier',
        label: 'Tier',
        type: 'enumeration',
        options: [
          { value: 'gold', label: 'Gold' },
          { value: 'silver', label: 'Silver' },
        ],
      })
    ).name;
    const rows: [string, Record<string, Value>][] = [
      [
        'A',
        {
          lastname: 'Adams',
          country: 'DE',
          lifecyclestage: 'lead',
          birthdate: '1990-01-01',
          n: 10,
          s: 'alpha',
          flag: true,
          d: '2026-01-10',
          dt: '2026-01-10T10:00:00Z',
          tier: 'gold',
        },
      ],
      [
        'B',
        {
          lastname: 'Baker',
          country: 'FR',
          lifecyclestage: 'customer',
          birthdate: '1985-06-15',
          n: 20,
          s: 'Beta_1',
          flag: false,
          d: '2026-02-10',
          dt: '2026-02-10T10:00:00Z',
          tier: 'silver',
        },
      ],
      ['C', { lastname: 'Carter' }],
      [
        'D',
        {
          lastname: 'Diaz%',
          country: 'DE',
          lifecyclestage: 'customer',
          birthdate: '2000-12-31',
          n: -5,
          s: '100% sure',
          flag: true,
          d: '2025-12-31',
          dt: '2025-12-31T23:59:59Z',
          tier: 'gold',
        },
      ],
      [
        'E',
        {
          lastname: 'Evans',
          country: 'AT',
          lifecyclestage: 'opportunity',
          birthdate: '1990-01-02',
          n: 20,
          s: 'gamma',
          d: '2026-01-10',
          dt: '2026-01-10T10:00:00.001Z',
        },
      ],
      [
        'F',
        {
          country: 'US',
          lifecyclestage: 'lead',
          n: 0,
          s: 'x_y',
          flag: false,
          dt: '2026-03-01T00:00:00Z',
          tier: 'silver',
        },
      ],
    ];
    t0 = clock.now().getTime();
    for (const [letter, properties] of rows) {
      byLetter.set(
        letter,
        await createRecord(admin, 'contacts', { ...properties, firstname: letter, company: TAG }),
      );
      clock.advance(1000);
    }
  });

  afterAll(async () => {
    await server.close();
  });

  const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

  describe('operators', () => {
    it.each<[string, Filter, string]>([
      // eq
      ['eq on a standard string', { propertyName: 'country', operator: 'eq', value: 'DE' }, 'AD'],
      [
        'eq on a standard enumeration',
        { propertyName: 'lifecyclestage', operator: 'eq', value: 'customer' },
        'BD',
      ],
      [
        'eq on an option nobody has',
        { propertyName: 'lifecyclestage', operator: 'eq', value: 'evangelist' },
        '',
      ],
      ['eq on a custom number', { propertyName: 'n', operator: 'eq', value: 20 }, 'BE'],
      [
        'eq on a custom number given as a string',
        { propertyName: 'n', operator: 'eq', value: '20' },
        'BE',
      ],
      ['eq on a custom bool', { propertyName: 'flag', operator: 'eq', value: true }, 'AD'],
      [
        'eq on a custom bool given as a string',
        { propertyName: 'flag', operator: 'eq', value: 'false' },
        'BF',
      ],
      [
        'eq on a standard date',
        { propertyName: 'birthdate', operator: 'eq', value: '1990-01-01' },
        'A',
      ],
      ['eq on a custom date', { propertyName: 'd', operator: 'eq', value: '2026-01-10' }, 'AE'],
      [
        'eq on a custom datetime in another zone',
        { propertyName: 'dt', operator: 'eq', value: '2026-01-10T11:00:00+01:00' },
        'A',
      ],
      ['eq on a custom string', { propertyName: 's', operator: 'eq', value: 'alpha' }, 'A'],
      ['eq on a custom enumeration', { propertyName: 'tier', operator: 'eq', value: 'gold' }, 'AD'],
      [
        'eq on a value that is not an option',
        { propertyName: 'tier', operator: 'eq', value: 'platinum' },
        '',
      ],
      ['eq on the owner', { propertyName: 'owner_id', operator: 'eq', value: 'OWNER' }, 'ABCDEF'],
      ['eq on the create date', { propertyName: 'createdate', operator: 'eq', value: 'AT2' }, 'C'],
      // neq: records without a value are "not equal"
      [
        'neq on a standard string (incl. nulls)',
        { propertyName: 'country', operator: 'neq', value: 'DE' },
        'BCEF',
      ],
      [
        'neq on a standard string without value (incl. nulls)',
        { propertyName: 'lastname', operator: 'neq', value: 'Adams' },
        'BCDEF',
      ],
      [
        'neq on a custom number (incl. nulls)',
        { propertyName: 'n', operator: 'neq', value: 20 },
        'ACDF',
      ],
      [
        'neq on a custom bool (incl. nulls)',
        { propertyName: 'flag', operator: 'neq', value: true },
        'BCEF',
      ],
      [
        'neq on a custom enumeration (incl. nulls)',
        { propertyName: 'tier', operator: 'neq', value: 'gold' },
        'BCEF',
      ],
      [
        'neq on a standard enumeration (incl. nulls)',
        { propertyName: 'lifecyclestage', operator: 'neq', value: 'lead' },
        'BCDE',
      ],
      // ordered comparisons
      ['lt on a number', { propertyName: 'n', operator: 'lt', value: 10 }, 'DF'],
      ['lte on a number', { propertyName: 'n', operator: 'lte', value: 10 }, 'ADF'],
      ['gt on a number', { propertyName: 'n', operator: 'gt', value: 10 }, 'BE'],
      ['gte on a number', { propertyName: 'n', operator: 'gte', value: '20' }, 'BE'],
      ['gt on a negative number', { propertyName: 'n', operator: 'gt', value: -100 }, 'ABDEF'],
      [
        'lt on a standard date',
        { propertyName: 'birthdate', operator: 'lt', value: '1990-01-01' },
        'B',
      ],
      [
        'lte on a standard date',
        { propertyName: 'birthdate', operator: 'lte', value: '1990-01-01' },
        'AB',
      ],
      [
        'gt on a standard date',
        { propertyName: 'birthdate', operator: 'gt', value: '1990-01-01' },
        'DE',
      ],
      ['gte on a custom date', { propertyName: 'd', operator: 'gte', value: '2026-01-10' }, 'ABE'],
      ['lt on a custom date', { propertyName: 'd', operator: 'lt', value: '2026-01-10' }, 'D'],
      [
        'gt on a custom datetime (milliseconds count)',
        { propertyName: 'dt', operator: 'gt', value: '2026-01-10T10:00:00Z' },
        'BEF',
      ],
      [
        'lte on a custom datetime',
        { propertyName: 'dt', operator: 'lte', value: '2026-01-10T12:00:00+02:00' },
        'AD',
      ],
      [
        'gte on the create date',
        { propertyName: 'createdate', operator: 'gte', value: 'AT3' },
        'DEF',
      ],
      ['lt on the create date', { propertyName: 'createdate', operator: 'lt', value: 'AT1' }, 'A'],
      ['lt on a standard string', { propertyName: 'lastname', operator: 'lt', value: 'C' }, 'AB'],
      [
        'gte on a standard string',
        { propertyName: 'lastname', operator: 'gte', value: 'Carter' },
        'CDE',
      ],
      [
        'lte on a standard string',
        { propertyName: 'country', operator: 'lte', value: 'DE' },
        'ADE',
      ],
      ['gt on a custom string', { propertyName: 's', operator: 'gt', value: 'a' }, 'AEF'],
      // between (inclusive)
      [
        'between on a number',
        { propertyName: 'n', operator: 'between', value: 0, highValue: 10 },
        'AF',
      ],
      [
        'between on a date',
        {
          propertyName: 'birthdate',
          operator: 'between',
          value: '1985-01-01',
          highValue: '1990-01-01',
        },
        'AB',
      ],
      [
        'between on a datetime',
        {
          propertyName: 'dt',
          operator: 'between',
          value: '2026-01-01T00:00:00Z',
          highValue: '2026-02-10T10:00:00Z',
        },
        'ABE',
      ],
      [
        'between on a string',
        { propertyName: 'lastname', operator: 'between', value: 'B', highValue: 'D' },
        'BC',
      ],
      [
        'between on the create date',
        { propertyName: 'createdate', operator: 'between', value: 'AT1', highValue: 'AT2' },
        'BC',
      ],
      // in / not_in
      [
        'in on a standard string',
        { propertyName: 'country', operator: 'in', values: ['DE', 'US'] },
        'ADF',
      ],
      [
        'in on a standard enumeration',
        { propertyName: 'lifecyclestage', operator: 'in', values: ['lead', 'opportunity'] },
        'AEF',
      ],
      ['in on a custom number', { propertyName: 'n', operator: 'in', values: [10, '20'] }, 'ABE'],
      [
        'in on a custom enumeration',
        { propertyName: 'tier', operator: 'in', values: ['silver'] },
        'BF',
      ],
      ['in on a custom bool', { propertyName: 'flag', operator: 'in', values: [true] }, 'AD'],
      [
        'in on a date',
        { propertyName: 'birthdate', operator: 'in', values: ['1990-01-01', '2000-12-31'] },
        'AD',
      ],
      [
        'not_in on a standard string (incl. nulls)',
        { propertyName: 'country', operator: 'not_in', values: ['DE'] },
        'BCEF',
      ],
      [
        'not_in on a custom number (incl. nulls)',
        { propertyName: 'n', operator: 'not_in', values: [20, 0] },
        'ACD',
      ],
      [
        'not_in on a custom enumeration (incl. nulls)',
        { propertyName: 'tier', operator: 'not_in', values: ['gold'] },
        'BCEF',
      ],
      // has_property / not_has_property
      [
        'has_property on a standard string',
        { propertyName: 'country', operator: 'has_property' },
        'ABDEF',
      ],
      [
        'has_property on a standard date',
        { propertyName: 'birthdate', operator: 'has_property' },
        'ABDE',
      ],
      ['has_property on a custom number', { propertyName: 'n', operator: 'has_property' }, 'ABDEF'],
      [
        'has_property on a custom bool (false counts)',
        { propertyName: 'flag', operator: 'has_property' },
        'ABDF',
      ],
      [
        'has_property on a custom enumeration',
        { propertyName: 'tier', operator: 'has_property' },
        'ABDF',
      ],
      [
        'not_has_property on a standard string',
        { propertyName: 'lastname', operator: 'not_has_property' },
        'F',
      ],
      [
        'not_has_property on a standard enumeration',
        { propertyName: 'lifecyclestage', operator: 'not_has_property' },
        'C',
      ],
      [
        'not_has_property on a custom bool',
        { propertyName: 'flag', operator: 'not_has_property' },
        'CE',
      ],
      [
        'not_has_property on a custom datetime',
        { propertyName: 'dt', operator: 'not_has_property' },
        'C',
      ],
      // contains_token: case-insensitive, % and _ literal
      [
        'contains_token, case-insensitive',
        { propertyName: 'lastname', operator: 'contains_token', value: 'AR' },
        'C',
      ],
      [
        'contains_token on a common letter',
        { propertyName: 'lastname', operator: 'contains_token', value: 'a' },
        'ABCDE',
      ],
      [
        'contains_token with a literal %',
        { propertyName: 'lastname', operator: 'contains_token', value: '%' },
        'D',
      ],
      [
        'contains_token ending in a literal %',
        { propertyName: 'lastname', operator: 'contains_token', value: 'z%' },
        'D',
      ],
      [
        'contains_token with a literal _',
        { propertyName: 's', operator: 'contains_token', value: '_' },
        'BF',
      ],
      [
        'contains_token with _ between letters',
        { propertyName: 's', operator: 'contains_token', value: 'x_y' },
        'F',
      ],
      [
        'contains_token on a custom string',
        { propertyName: 's', operator: 'contains_token', value: 'BETA' },
        'B',
      ],
      [
        'contains_token with a backslash',
        { propertyName: 's', operator: 'contains_token', value: '\\' },
        '',
      ],
    ])('%s', async (_case, filter, expected) => {
      const resolve = (value: Value | undefined): Value | undefined =>
        value === 'OWNER'
          ? adminUserId
          : typeof value === 'string' && /^AT\d$/.test(value)
            ? at(Number(value.slice(2)))
            : value;
      expect(
        await letters([
          [{ ...filter, value: resolve(filter.value), highValue: resolve(filter.highValue) }],
        ]),
      ).toBe(expected);
    });

    it('ANDs the filters of a group', async () => {
      expect(
        await letters([
          [
            { propertyName: 'country', operator: 'eq', value: 'DE' },
            { propertyName: 'n', operator: 'lt', value: 0 },
          ],
        ]),
      ).toBe('D');
    });

    it('ORs filter groups', async () => {
      expect(
        await letters([
          [{ propertyName: 'country', operator: 'eq', value: 'DE' }],
          [{ propertyName: 'n', operator: 'eq', value: 0 }],
        ]),
      ).toBe('ADF');
      expect(
        await letters([
          [
            { propertyName: 'lifecyclestage', operator: 'eq', value: 'lead' },
            { propertyName: 'country', operator: 'eq', value: 'US' },
          ],
          [{ propertyName: 'n', operator: 'gte', value: 20 }],
          [{ propertyName: 'lastname', operator: 'eq', value: 'Baker' }],
        ]),
      ).toBe('BEF');
    });

    it('returns every record, in id order, without filter groups', async () => {
      // Other tests add records of their own: walk every page.
      const response = await search({ limit: 100 });
      const { pages } = await walkPages<RecordView>((after) => search({ limit: 100, after }));
      const ids = pages.flat().map((r) => r.id);
      expect(ids).toEqual([...ids].sort());
      expect(response.body.total).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining([...byLetter.values()].map((r) => r.id)));
    });

    it('searches companies and deals too', async () => {
      const tag = uniqueName('Search Co');
      await createRecords(admin, 'companies', [
        { name: tag, numberofemployees: 5 },
        { name: tag, numberofemployees: 50 },
      ]);
      const companies = await search(
        {
          filterGroups: [
            {
              filters: [
                { propertyName: 'name', operator: 'eq', value: tag },
                { propertyName: 'numberofemployees', operator: 'gt', value: 10 },
              ],
            },
          ],
        },
        'companies',
      );
      expect(companies.body.total).toBe(1);
      await createRecords(admin, 'deals', [
        { dealname: tag, closedate: '2026-06-30', dealstage: 'closedwon' },
        { dealname: tag, closedate: '2026-07-31', dealstage: 'closedlost' },
      ]);
      const deals = await search(
        {
          filterGroups: [
            {
              filters: [
                { propertyName: 'dealname', operator: 'eq', value: tag },
                { propertyName: 'closedate', operator: 'lt', value: '2026-07-01' },
              ],
            },
          ],
          properties: ['dealstage'],
        },
        'deals',
      );
      expect(deals.body.results.map((r: RecordView) => r.properties)).toEqual([
        { dealstage: 'closedwon' },
      ]);
    });
  });

  describe('sorts, pagination and total', () => {
    it.each<[string, Sort['direction'], string]>([
      ['n', 'ASCENDING', 'DFABEC'],
      ['n', 'DESCENDING', 'EBAFDC'],
      ['lastname', 'ASCENDING', 'ABCDEF'],
      ['lastname', 'DESCENDING', 'EDCBAF'],
      ['birthdate', 'ASCENDING', 'BAEDCF'],
      ['createdate', 'DESCENDING', 'FEDCBA'],
      ['dt', 'ASCENDING', 'DAEBFC'],
      ['s', 'ASCENDING', 'DBAEFC'],
      ['tier', 'ASCENDING', 'ADBFCE'],
      ['lifecyclestage', 'DESCENDING', 'EFADBC'],
    ])(
      'sorts by %s %s with empty values last and ties by id in the same direction',
      async (propertyName, direction, expected) => {
        expect(await letters([[]], [{ propertyName, direction }])).toBe(expected);
      },
    );

    it.each<[string, Sort['direction']]>([
      ['n', 'ASCENDING'],
      ['n', 'DESCENDING'],
      ['lastname', 'DESCENDING'],
      ['createdate', 'ASCENDING'],
    ])(
      'walks every page sorted by %s %s without duplicates or omissions',
      async (propertyName, direction) => {
        const filterGroups = [
          { filters: [{ propertyName: 'company', operator: 'eq', value: TAG }] },
        ];
        const all = expectStatus(
          await search({ filterGroups, sorts: [{ propertyName, direction }], limit: 100 }),
          200,
        ).body.results as RecordView[];
        for (const limit of [1, 2, 4]) {
          const { pages } = await walkPages<RecordView>((after) =>
            search({ filterGroups, sorts: [{ propertyName, direction }], limit, after }),
          );
          expect(pages.flat().map((r) => r.id)).toEqual(all.map((r) => r.id));
          expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
        }
      },
    );

    it('walks pages under heavy ties (many equal and empty values) in a stable order', async () => {
      const tag = uniqueName('Ties');
      const values = [
        1,
        2,
        null,
        2,
        1,
        1,
        null,
        3,
        2,
        1,
        null,
        3,
        3,
        1,
        2,
        null,
        2,
        1,
        1,
        3,
        null,
        2,
        1,
      ];
      const created = await createRecords(
        admin,
        'contacts',
        values.map((n) => ({ company: tag, n })),
      );
      const filterGroups = [{ filters: [{ propertyName: 'company', operator: 'eq', value: tag }] }];
      for (const direction of ['ASCENDING', 'DESCENDING'] as const) {
        const expected = created
          .map((r) => ({ id: r.id, n: r.properties.n as number | null }))
          .sort((a, b) => {
            if (a.n !== b.n) {
              if (a.n === null) {
                return 1;
              }
              if (b.n === null) {
                return -1;
              }
              return direction === 'ASCENDING' ? a.n - b.n : b.n - a.n;
            }
            return (a.id < b.id ? -1 : 1) * (direction === 'ASCENDING' ? 1 : -1);
          })
          .map((r) => r.id);
        const first = expectStatus(
          await search({ filterGroups, sorts: [{ propertyName: 'n', direction }], limit: 3 }),
          200,
        );
        expect(first.body.total).toBe(values.length);
        const { pages } = await walkPages<RecordView>((after) =>
          search({ filterGroups, sorts: [{ propertyName: 'n', direction }], limit: 3, after }),
        );
        const ids = pages.flat().map((r) => r.id);
        expect(new Set(ids).size).toBe(values.length);
        expect(ids).toEqual(expected);
      }
    });

    it('gives the total of all matches whatever the page size, and a next cursor only when more follow', async () => {
      const filterGroups = [{ filters: [{ propertyName: 'company', operator: 'eq', value: TAG }] }];
      const page = await search({ filterGroups, limit: 2 });
      expect(page.body.total).toBe(6);
      expect(page.body.results).toHaveLength(2);
      expect(page.body.paging.next.after).toEqual(expect.any(String));
      const whole = await search({ filterGroups, limit: 6 });
      expect(whole.body.total).toBe(6);
      expect(whole.body.paging).toEqual({});
      const none = await search({
        filterGroups: [{ filters: [{ propertyName: 'company', operator: 'eq', value: 'nobody' }] }],
      });
      expect(none.body).toEqual({ total: 0, results: [], paging: {} });
    });

    it('returns the chosen properties only', async () => {
      const response = await search({
        filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'eq', value: 'A' }] }],
        properties: ['lastname', 'n'],
      });
      expect(response.body.results[0].properties).toEqual({ lastname: 'Adams', n: 10 });
    });

    it('excludes archived records from results and total', async () => {
      const tag = uniqueName('Archived Search');
      const [a] = await createRecords(admin, 'contacts', [{ company: tag }, { company: tag }]);
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${a.id}`), 204);
      const response = await search({
        filterGroups: [{ filters: [{ propertyName: 'company', operator: 'eq', value: tag }] }],
      });
      expect(response.body.total).toBe(1);
      expect(response.body.results.map((r: RecordView) => r.id)).not.toContain(a.id);
    });
  });

  describe('refusals', () => {
    const withFilter = (filter: object, more: object[] = []) => ({
      filterGroups: [
        { filters: [{ propertyName: 'company', operator: 'eq', value: TAG }, filter] },
        ...more,
      ],
    });

    it.each<[string, object, string, string]>([
      [
        'an unknown operator',
        withFilter({ propertyName: 'n', operator: 'like', value: 1 }),
        'core.validation_failed',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'an unknown property',
        withFilter({ propertyName: 'shoe_size', operator: 'eq', value: 42 }),
        'crm.unknown_property',
        'filterGroups[0].filters[1].propertyName',
      ],
      [
        'a malformed property name',
        withFilter({ propertyName: 'Shoe-Size', operator: 'eq', value: 42 }),
        'core.validation_failed',
        'filterGroups[0].filters[1].propertyName',
      ],
      [
        'lt on an enumeration',
        withFilter({ propertyName: 'lifecyclestage', operator: 'lt', value: 'lead' }),
        'crm.invalid_operator',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'between on an enumeration',
        withFilter({
          propertyName: 'tier',
          operator: 'between',
          value: 'gold',
          highValue: 'silver',
        }),
        'crm.invalid_operator',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'gt on a bool',
        withFilter({ propertyName: 'flag', operator: 'gt', value: true }),
        'crm.invalid_operator',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'contains_token on a number',
        withFilter({ propertyName: 'n', operator: 'contains_token', value: '1' }),
        'crm.invalid_operator',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'contains_token on a date',
        withFilter({ propertyName: 'birthdate', operator: 'contains_token', value: '1990' }),
        'crm.invalid_operator',
        'filterGroups[0].filters[1].operator',
      ],
      [
        'a word for a number',
        withFilter({ propertyName: 'n', operator: 'eq', value: 'ten' }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].value',
      ],
      [
        'a malformed date',
        withFilter({ propertyName: 'birthdate', operator: 'gt', value: 'yesterday' }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].value',
      ],
      [
        'a date for a datetime',
        withFilter({ propertyName: 'dt', operator: 'eq', value: '2026-01-10' }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].value',
      ],
      [
        'a word for a bool',
        withFilter({ propertyName: 'flag', operator: 'eq', value: 'yes' }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].value',
      ],
      [
        'a number for a string',
        withFilter({ propertyName: 'lastname', operator: 'eq', value: 5 }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].value',
      ],
      [
        'eq without a value',
        withFilter({ propertyName: 'n', operator: 'eq' }),
        'crm.filter_value_required',
        'filterGroups[0].filters[1].value',
      ],
      [
        'contains_token with an empty token',
        withFilter({ propertyName: 'lastname', operator: 'contains_token', value: '' }),
        'crm.filter_value_required',
        'filterGroups[0].filters[1].value',
      ],
      [
        'between without a high value',
        withFilter({ propertyName: 'n', operator: 'between', value: 1 }),
        'crm.filter_value_required',
        'filterGroups[0].filters[1].highValue',
      ],
      [
        'between with a bad high value',
        withFilter({ propertyName: 'n', operator: 'between', value: 1, highValue: 'x' }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].highValue',
      ],
      [
        'in without values',
        withFilter({ propertyName: 'country', operator: 'in' }),
        'crm.filter_value_required',
        'filterGroups[0].filters[1].values',
      ],
      [
        'in with an empty list',
        withFilter({ propertyName: 'country', operator: 'in', values: [] }),
        'core.validation_failed',
        'filterGroups[0].filters[1].values',
      ],
      [
        'not_in with a bad value',
        withFilter({ propertyName: 'n', operator: 'not_in', values: [1, 'x'] }),
        'crm.invalid_value',
        'filterGroups[0].filters[1].values[1]',
      ],
      [
        'an error in the second group',
        withFilter({ propertyName: 'n', operator: 'eq', value: 1 }, [
          { filters: [{ propertyName: 'n', operator: 'gt', value: 'big' }] },
        ]),
        'crm.invalid_value',
        'filterGroups[1].filters[0].value',
      ],
      [
        'six filter groups',
        {
          filterGroups: Array.from({ length: 6 }, () => ({
            filters: [{ propertyName: 'n', operator: 'has_property' }],
          })),
        },
        'core.validation_failed',
        'filterGroups',
      ],
      [
        'eleven filters in a group',
        {
          filterGroups: [
            {
              filters: Array.from({ length: 11 }, () => ({
                propertyName: 'n',
                operator: 'has_property',
              })),
            },
          ],
        },
        'core.validation_failed',
        'filterGroups[0].filters',
      ],
      [
        'a group without filters',
        { filterGroups: [{ filters: [] }] },
        'core.validation_failed',
        'filterGroups[0].filters',
      ],
      [
        'a sort on a bool',
        { sorts: [{ propertyName: 'flag', direction: 'ASCENDING' }] },
        'crm.invalid_sort',
        'sorts[0].propertyName',
      ],
      [
        'a sort on an unknown property',
        { sorts: [{ propertyName: 'shoe_size', direction: 'ASCENDING' }] },
        'crm.unknown_property',
        'sorts[0].propertyName',
      ],
      [
        'an unknown sort direction',
        { sorts: [{ propertyName: 'n', direction: 'UP' }] },
        'core.validation_failed',
        'sorts[0].direction',
      ],
      [
        'two sorts',
        {
          sorts: [
            { propertyName: 'n', direction: 'ASCENDING' },
            { propertyName: 's', direction: 'ASCENDING' },
          ],
        },
        'core.validation_failed',
        'sorts',
      ],
      ['a limit of 0', { limit: 0 }, 'core.validation_failed', 'limit'],
      ['a limit of 101', { limit: 101 }, 'core.validation_failed', 'limit'],
      [
        'unknown properties to return',
        { properties: ['n', 'shoe_size'] },
        'crm.unknown_property',
        'properties',
      ],
      ['an unknown member of the body', { query: 'Adams' }, 'core.validation_failed', 'query'],
    ])('refuses %s with 422 naming the field', async (_case, body, code, field) => {
      expectProblem(await search(body), 422, { code, field });
    });

    it('answers an unknown object type with 404', async () => {
      expectProblem(await search({}, 'widgets'), 404, { code: 'crm.unknown_object_type' });
    });

    it.each<[string, () => string, Sort | undefined]>([
      ['garbage', () => 'forged!', undefined],
      ['valid base64 that is not a cursor', () => 'bm90LWEtY3Vyc29y', undefined],
      ['a sorted cursor in an unsorted search', () => cursorOf([1, 10, UNKNOWN_ID]), undefined],
      [
        'an unsorted cursor in a sorted search',
        () => cursorOf([UNKNOWN_ID]),
        { propertyName: 'n', direction: 'ASCENDING' },
      ],
      [
        'a string for a number sort',
        () => cursorOf([1, 'abc', UNKNOWN_ID]),
        { propertyName: 'n', direction: 'ASCENDING' },
      ],
      [
        'a string for a standard number sort',
        () => cursorOf([1, 'abc', UNKNOWN_ID]),
        { propertyName: 'annualrevenue', direction: 'ASCENDING' },
      ],
      [
        'a number for a string sort',
        () => cursorOf([1, 5, UNKNOWN_ID]),
        { propertyName: 'lastname', direction: 'ASCENDING' },
      ],
      [
        'a number as the id',
        () => cursorOf([1, 5, 7]),
        { propertyName: 'n', direction: 'ASCENDING' },
      ],
      ['a number as the id of an unsorted cursor', () => cursorOf([7]), undefined],
      [
        'an unknown value marker',
        () => cursorOf([2, 5, UNKNOWN_ID]),
        { propertyName: 'n', direction: 'ASCENDING' },
      ],
    ])('refuses a forged cursor (%s) with 422 naming after', async (_case, after, sort) => {
      const objectType = sort?.propertyName === 'annualrevenue' ? 'companies' : 'contacts';
      expectProblem(
        await search({ after: after(), ...(sort ? { sorts: [sort] } : {}) }, objectType),
        422,
        { code: 'core.invalid_cursor', field: 'after' },
      );
    });
  });

  describe('property-based: the API selects and orders exactly what an in-memory evaluation does', () => {
    const LASTNAMES = ['Adams', 'Baker', 'Carter', 'Diaz', 'Evans', 'Baker'];
    const COUNTRIES = ['DE', 'FR', 'US'];
    const STAGES = ['lead', 'customer', 'subscriber'];
    const NUMBERS = [-1, 0, 1.5, 2, 10];

    type Contact = {
      lastname: string | null;
      country: string | null;
      lifecyclestage: string | null;
      n: number | null;
    };
    const orNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null, freq: 3 });
    const contactArb: fc.Arbitrary<Contact> = fc.record({
      lastname: orNull(fc.constantFrom(...LASTNAMES)),
      country: orNull(fc.constantFrom(...COUNTRIES)),
      lifecyclestage: orNull(fc.constantFrom(...STAGES)),
      n: orNull(fc.constantFrom(...NUMBERS)),
    });

    const stringValue = fc.constantFrom(...LASTNAMES, ...COUNTRIES, 'B', 'Dz', 'M', 'ZZ');
    const numberValue = fc.constantFrom(...NUMBERS, -5, 1, 3, 100);
    const tokenValue = fc.constantFrom('a', 'AR', 'e', 'd', 'Z', 'ke', 'x');
    const ordered = (property: string, value: fc.Arbitrary<Value>): fc.Arbitrary<Filter> =>
      fc.oneof(
        fc.record({
          propertyName: fc.constant(property),
          operator: fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte'),
          value,
        }),
        fc.record({
          propertyName: fc.constant(property),
          operator: fc.constant('between'),
          value,
          highValue: value,
        }),
        fc.record({
          propertyName: fc.constant(property),
          operator: fc.constantFrom('in', 'not_in'),
          values: fc.array(value, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          propertyName: fc.constant(property),
          operator: fc.constantFrom('has_property', 'not_has_property'),
        }),
      );
    const filterArb: fc.Arbitrary<Filter> = fc.oneof(
      ordered('lastname', stringValue),
      ordered('country', stringValue),
      ordered('n', numberValue),
      fc.record({
        propertyName: fc.constantFrom('lastname', 'country'),
        operator: fc.constant('contains_token'),
        value: tokenValue,
      }),
      fc.oneof(
        fc.record({
          propertyName: fc.constant('lifecyclestage'),
          operator: fc.constantFrom('eq', 'neq'),
          value: fc.constantFrom(...STAGES, 'customer'),
        }),
        fc.record({
          propertyName: fc.constant('lifecyclestage'),
          operator: fc.constantFrom('in', 'not_in'),
          values: fc.array(fc.constantFrom(...STAGES), { minLength: 1, maxLength: 2 }),
        }),
        fc.record({
          propertyName: fc.constant('lifecyclestage'),
          operator: fc.constantFrom('has_property', 'not_has_property'),
        }),
      ),
    );
    const groupsArb = fc.array(fc.array(filterArb, { minLength: 1, maxLength: 2 }), {
      minLength: 0,
      maxLength: 3,
    });
    const sortArb = fc.option(
      fc.record({
        propertyName: fc.constantFrom('lastname', 'country', 'lifecyclestage', 'n'),
        direction: fc.constantFrom('ASCENDING' as const, 'DESCENDING' as const),
      }),
      { nil: undefined },
    );

    const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
    const matches = (contact: Contact, filter: Filter): boolean => {
      const value = contact[filter.propertyName as keyof Contact];
      const x = filter.value as string | number;
      switch (filter.operator) {
        case 'eq':
          return value !== null && value === x;
        case 'neq':
          return value === null || value !== x;
        case 'lt':
          return value !== null && compare(value, x) < 0;
        case 'lte':
          return value !== null && compare(value, x) <= 0;
        case 'gt':
          return value !== null && compare(value, x) > 0;
        case 'gte':
          return value !== null && compare(value, x) >= 0;
        case 'between':
          return (
            value !== null &&
            compare(value, x) >= 0 &&
            compare(value, filter.highValue as string | number) <= 0
          );
        case 'in':
          return value !== null && filter.values!.includes(value);
        case 'not_in':
          return value === null || !filter.values!.includes(value);
        case 'has_property':
          return value !== null;
        case 'not_has_property':
          return value === null;
        case 'contains_token':
          return typeof value === 'string' && value.toLowerCase().includes(String(x).toLowerCase());
        default:
          throw new Error(`no in-memory evaluation of ${filter.operator}`);
      }
    };

    it('for random contacts, filter groups, sorts and page sizes', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(contactArb, { minLength: 4, maxLength: 25, size: '+1' }),
          groupsArb,
          sortArb,
          fc.integer({ min: 1, max: 5 }),
          async (contacts, groups, sort, limit) => {
            run += 1;
            const tag = `Property run ${run} ${uniqueName('pbt')}`;
            const created = await createRecords(
              admin,
              'contacts',
              contacts.map((c) => ({ ...c, company: tag })),
            );
            const rows = created.map((record, i) => ({ id: record.id, ...contacts[i] }));
            const selected = rows.filter(
              (row) => groups.length === 0 || groups.some((g) => g.every((f) => matches(row, f))),
            );
            const expected = [...selected]
              .sort((a, b) => {
                if (sort) {
                  const x = a[sort.propertyName];
                  const y = b[sort.propertyName];
                  if (x !== y) {
                    if (x === null) {
                      return 1;
                    }
                    if (y === null) {
                      return -1;
                    }
                    const order = compare(x, y);
                    if (order !== 0) {
                      return sort.direction === 'ASCENDING' ? order : -order;
                    }
                  }
                }
                return sort?.direction === 'DESCENDING'
                  ? -compare(a.id, b.id)
                  : compare(a.id, b.id);
              })
              .map((row) => row.id);
            const tagFilter = { propertyName: 'company', operator: 'eq', value: tag };
            const filterGroups =
              groups.length === 0
                ? [{ filters: [tagFilter] }]
                : groups.map((filters) => ({ filters: [tagFilter, ...filters] }));
            const body = {
              filterGroups,
              sorts: sort ? [sort] : [],
              properties: ['lastname'],
              limit,
            };
            const first = expectStatus(await search(body), 200);
            expect(first.body.total).toBe(expected.length);
            const { pages } = await walkPages<RecordView>(
              (after) => search({ ...body, after }),
              30,
            );
            expect(pages.flat().map((r) => r.id)).toEqual(expected);
          },
        ),
        { numRuns: 30 },
      );
    });
  });
});
