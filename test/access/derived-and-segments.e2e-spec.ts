import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  expectStatus,
  listAll,
  Setup,
  unique,
  type Caller,
  type RecordView,
} from './access-support';

const READ_ACCOUNT = { objectType: 'contacts', action: 'read', level: 'account' };

interface ScoreRuleView {
  propertyName: string;
  operator: string;
  value?: unknown;
  points: number;
  valueRedacted?: boolean;
}

interface SegmentView {
  id: string;
  name: string;
  ownerUserId: string | null;
  sharing: string;
  filterGroups: { filters: Record<string, unknown>[] }[];
}

/**
 * Issue 10, classes 9 and 12: computed properties and saved segments as a hostile insider tries
 * them — a reader who may not read `salary` (only HR may) and a `manage_properties` holder who
 * may not either.
 */
describe.each(testDatabaseKinds())('derived values and segments on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  let reader: Awaited<ReturnType<Setup['userWithRole']>>;
  let hr: Awaited<ReturnType<Setup['userWithRole']>>;
  let propertyManager: Awaited<ReturnType<Setup['userWithRole']>>;
  let record: RecordView;

  beforeAll(async () => {
    server = await startTestServer(kind);
    setup = new Setup(server, await server.login());
    admin = setup.admin;
    const property = async (body: Record<string, unknown>) =>
      expectStatus(await admin.post('/api/v1/properties/contacts', body), 201);
    await property({ name: 'salary', label: 'Salary', type: 'number' });
    await property({ name: 'bonus', label: 'Bonus', type: 'number' });
    await property({
      name: 'salary_double',
      label: 'Twice the salary',
      type: 'calculation',
      formula: 'salary * 2',
    });
    await property({
      name: 'well_paid',
      label: 'Well paid',
      type: 'score',
      scoreRules: [{ propertyName: 'salary', operator: 'gt', value: 100_000, points: 10 }],
    });
    // Derives from salary only through another computed property.
    await property({
      name: 'double_tier',
      label: 'Tier of twice the salary',
      type: 'score',
      scoreRules: [{ propertyName: 'salary_double', operator: 'gt', value: 200_000, points: 5 }],
    });
    await property({
      name: 'bonus_double',
      label: 'Twice the bonus',
      type: 'calculation',
      formula: 'bonus * 2',
    });
    const hrTeam = await setup.team(unique('HR'));
    await setup.fieldPermissions('contacts', 'salary', {
      view: [{ type: 'team', id: hrTeam }],
      edit: [{ type: 'team', id: hrTeam }],
    });
    reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
    hr = await setup.userWithRole({ privileges: [READ_ACCOUNT] }, { teamIds: [hrTeam] });
    propertyManager = await setup.userWithRole({
      privileges: [READ_ACCOUNT],
      taskPrivileges: ['manage_properties'],
    });
    record = await setup.contact({ salary: 120_000, bonus: 1_000, firstname: 'Derived' });
  });

  afterAll(async () => {
    await server?.close();
  });

  const DERIVED_FROM_SALARY = ['salary', 'salary_double', 'well_paid', 'double_tier'];

  const searchBy = (caller: Caller, body: Record<string, unknown>) =>
    caller.post('/api/v1/objects/contacts/search', body);

  describe('class 9: computed properties leak', () => {
    it('redacts a calculation and a score over a hidden property in get', async () => {
      const got = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}`),
        200,
      ).body as RecordView;
      expect(got.redacted.sort()).toEqual([...DERIVED_FROM_SALARY].sort());
      for (const name of DERIVED_FROM_SALARY) {
        expect(got.properties).not.toHaveProperty(name);
      }
      expect(got.properties.bonus_double).toBe(2_000);
    });

    it('redacts a score derived from a hidden property through another computed property', async () => {
      const got = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}`, {
          properties: 'double_tier,bonus_double',
        }),
        200,
      ).body as RecordView;
      expect(got).toMatchObject({ properties: { bonus_double: 2_000 }, redacted: ['double_tier'] });
    });

    it('redacts derived values in list, batch read and search results', async () => {
      const listed = (await listAll(reader.caller)).find((r) => r.id === record.id)!;
      const batch = expectStatus(
        await reader.caller.post('/api/v1/objects/contacts/batch/read', {
          ids: [record.id],
          properties: DERIVED_FROM_SALARY,
        }),
        200,
      ).body.results as RecordView[];
      const searched = expectStatus(
        await searchBy(reader.caller, {
          filterGroups: [
            { filters: [{ propertyName: 'firstname', operator: 'eq', value: 'Derived' }] },
          ],
        }),
        200,
      ).body.results as RecordView[];
      for (const view of [listed, batch[0], searched[0]]) {
        expect(view.redacted).toEqual(expect.arrayContaining(DERIVED_FROM_SALARY));
        expect(Object.keys(view.properties)).not.toEqual(expect.arrayContaining(['salary_double']));
      }
    });

    it('shows derived values to a reader who may read every input', async () => {
      const got = expectStatus(await hr.caller.get(`/api/v1/objects/contacts/${record.id}`), 200)
        .body as RecordView;
      expect(got.properties).toMatchObject({
        salary_double: 240_000,
        well_paid: 10,
        double_tier: 5,
      });
      expect(got.redacted).toEqual([]);
    });

    it('decides readability of scores that test each other without looping', async () => {
      const [first, second] = [unique('loop_a'), unique('loop_b')].map((n) => n.replace(/-/g, '_'));
      const rulesOn = (...propertyNames: string[]) =>
        propertyNames.map((propertyName) => ({
          propertyName,
          operator: 'has_property',
          points: 1,
        }));
      const create = async (name: string, scoreRules: unknown[]) =>
        expectStatus(
          await admin.post('/api/v1/properties/contacts', {
            name,
            label: name,
            type: 'score',
            scoreRules,
          }),
          201,
        );
      await create(first, rulesOn('bonus'));
      await create(second, rulesOn(first));
      // Now each tests the other, and the first also tests the hidden salary.
      expectStatus(
        await admin.patch(`/api/v1/properties/contacts/${first}`, {
          scoreRules: rulesOn('bonus', second, 'salary'),
        }),
        200,
      );
      const got = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}`, {
          properties: `${first},${second},bonus_double`,
        }),
        200,
      ).body as RecordView;
      expect(got.redacted.sort()).toEqual([first, second].sort());
      // Scores are on every contact: take these away again, for the other tests' `redacted`.
      expectStatus(
        await admin.patch(`/api/v1/properties/contacts/${first}`, { scoreRules: rulesOn('bonus') }),
        200,
      );
      expectStatus(await admin.delete(`/api/v1/properties/contacts/${second}`), 204);
      expectStatus(await admin.delete(`/api/v1/properties/contacts/${first}`), 204);
    });

    it('refuses filtering by a calculation over a hidden property with 403 naming it', async () => {
      const response = await searchBy(reader.caller, {
        filterGroups: [
          { filters: [{ propertyName: 'salary_double', operator: 'gt', value: 200_000 }] },
        ],
      });
      expectProblem(response, 403, {
        code: 'crm.field_not_readable',
        field: 'filterGroups[0].filters[0].propertyName',
      });
      expect(response.body.property).toBe('salary_double');
    });

    it('refuses sorting by a score derived from a hidden property with 403 naming it', async () => {
      const response = await searchBy(reader.caller, {
        sorts: [{ propertyName: 'double_tier', direction: 'DESCENDING' }],
      });
      expectProblem(response, 403, {
        code: 'crm.field_not_readable',
        field: 'sorts[0].propertyName',
      });
    });

    it('refuses the history of a calculation over a hidden property with 403', async () => {
      expectProblem(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}/history`, {
          property: 'salary_double',
        }),
        403,
        { code: 'crm.field_not_readable', field: 'property' },
      );
    });

    it('leaves derived values out of the history of the record', async () => {
      const history = expectStatus(
        await reader.caller.get(`/api/v1/objects/contacts/${record.id}/history`, { limit: 100 }),
        200,
      ).body.results as { property: string }[];
      const names = history.map((h) => h.property);
      expect(names).toContain('bonus_double');
      expect(names.filter((n) => DERIVED_FROM_SALARY.includes(n))).toEqual([]);
    });

    it('refuses a manage_properties holder who cannot read salary defining salary * 2 (403 naming it)', async () => {
      const response = await propertyManager.caller.post('/api/v1/properties/contacts', {
        name: unique('my_salary').replace(/-/g, '_'),
        label: 'Salary, twice',
        type: 'calculation',
        formula: 'bonus + salary * 2',
      });
      expectProblem(response, 403, {
        code: 'crm.computed_input_not_readable',
        field: 'formula',
      });
      expect(response.body.property).toBe('salary');
    });

    it('refuses a score whose rule tests a property derived from a hidden one (403 naming it)', async () => {
      const response = await propertyManager.caller.post('/api/v1/properties/contacts', {
        name: unique('rich').replace(/-/g, '_'),
        label: 'Rich',
        type: 'score',
        scoreRules: [
          { propertyName: 'bonus', operator: 'gt', value: 0, points: 1 },
          { propertyName: 'salary_double', operator: 'gt', value: 200_000, points: 1 },
        ],
      });
      expectProblem(response, 403, {
        code: 'crm.computed_input_not_readable',
        field: 'scoreRules[1].propertyName',
      });
      expect(response.body.property).toBe('salary_double');
    });

    it('refuses changing a calculation to read a hidden property (403)', async () => {
      const name = unique('bonus_triple').replace(/-/g, '_');
      expectStatus(
        await propertyManager.caller.post('/api/v1/properties/contacts', {
          name,
          label: 'Bonus, thrice',
          type: 'calculation',
          formula: 'bonus * 3',
        }),
        201,
      );
      expectProblem(
        await propertyManager.caller.patch(`/api/v1/properties/contacts/${name}`, {
          formula: 'salary * 3',
        }),
        403,
        { code: 'crm.computed_input_not_readable', field: 'formula' },
      );
    });

    it('lets a holder of manage_properties define a calculation over inputs they may read', async () => {
      expectStatus(
        await propertyManager.caller.post('/api/v1/properties/contacts', {
          name: unique('bonus_half').replace(/-/g, '_'),
          label: 'Half the bonus',
          type: 'calculation',
          formula: 'bonus / 2',
        }),
        201,
      );
    });
  });

  describe('class 12: definitions quote hidden values', () => {
    it('leaves the value of a score rule on a hidden property out of the definition', async () => {
      const shown = expectStatus(
        await reader.caller.get('/api/v1/properties/contacts/well_paid'),
        200,
      ).body as { scoreRules: ScoreRuleView[] };
      expect(shown.scoreRules).toEqual([
        { propertyName: 'salary', operator: 'gt', points: 10, valueRedacted: true },
      ]);
    });

    it('leaves the value of a score rule on a derived hidden property out of the property list', async () => {
      const listed = expectStatus(await reader.caller.get('/api/v1/properties/contacts'), 200).body
        .results as { name: string; scoreRules: ScoreRuleView[] }[];
      const tier = listed.find((p) => p.name === 'double_tier')!;
      expect(tier.scoreRules[0]).not.toHaveProperty('value');
      expect(tier.scoreRules[0].valueRedacted).toBe(true);
    });

    it('shows score rule values to a reader who may read the tested property', async () => {
      const shown = expectStatus(await hr.caller.get('/api/v1/properties/contacts/well_paid'), 200)
        .body as { scoreRules: ScoreRuleView[] };
      expect(shown.scoreRules).toEqual([
        { propertyName: 'salary', operator: 'gt', value: 100_000, points: 10 },
      ]);
    });

    it('leaves filter values on a hidden property out of a shared segment', async () => {
      const segment = await createSegment(admin, {
        sharing: 'shared_read',
        filterGroups: [
          {
            filters: [
              { propertyName: 'salary', operator: 'between', value: 100_000, highValue: 130_000 },
              { propertyName: 'salary_double', operator: 'in', values: [240_000] },
              { propertyName: 'firstname', operator: 'eq', value: 'Derived' },
            ],
          },
        ],
      });
      const shown = expectStatus(await reader.caller.get(`/api/v1/segments/${segment.id}`), 200)
        .body as SegmentView;
      expect(shown.filterGroups[0].filters).toEqual([
        { propertyName: 'salary', operator: 'between', valueRedacted: true },
        { propertyName: 'salary_double', operator: 'in', valueRedacted: true },
        { propertyName: 'firstname', operator: 'eq', value: 'Derived' },
      ]);
      const listed = (
        expectStatus(await reader.caller.get('/api/v1/segments', { limit: 100 }), 200).body
          .results as SegmentView[]
      ).find((s) => s.id === segment.id)!;
      expect(listed.filterGroups).toEqual(shown.filterGroups);
    });

    it('refuses the members of a segment filtering on a hidden property with 403 naming it', async () => {
      const segment = await createSegment(admin, {
        sharing: 'shared_read',
        filterGroups: [
          {
            filters: [
              { propertyName: 'firstname', operator: 'eq', value: 'Derived' },
              { propertyName: 'well_paid', operator: 'gt', value: 5 },
            ],
          },
        ],
      });
      const response = await reader.caller.get(`/api/v1/segments/${segment.id}/members`);
      expectProblem(response, 403, {
        code: 'crm.field_not_readable',
        field: 'filterGroups[0].filters[1].propertyName',
      });
      expect(response.body.property).toBe('well_paid');
      const members = expectStatus(
        await hr.caller.get(`/api/v1/segments/${segment.id}/members`),
        200,
      ).body.results as RecordView[];
      expect(members.map((m) => m.id)).toEqual([record.id]);
    });

    it('refuses saving a segment that filters on a property the author may not read (403)', async () => {
      expectProblem(
        await reader.caller.post('/api/v1/segments', {
          name: unique('probe'),
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: 'salary', operator: 'gt', value: 1 }] }],
        }),
        403,
        { code: 'crm.field_not_readable', field: 'filterGroups[0].filters[0].propertyName' },
      );
    });
  });

  describe('class 12: any user may edit or delete any segment', () => {
    let owner: Awaited<ReturnType<Setup['userWithRole']>>;
    let stranger: Awaited<ReturnType<Setup['userWithRole']>>;

    beforeAll(async () => {
      owner = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      stranger = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
    });

    const everyone = [
      { filters: [{ propertyName: 'firstname', operator: 'eq', value: 'Derived' }] },
    ];

    it('makes a new segment private to its creator, who owns it', async () => {
      const segment = await createSegment(owner.caller, { filterGroups: everyone });
      expect(segment).toMatchObject({ ownerUserId: owner.id, sharing: 'private' });
    });

    it("answers 404 alike for another user's private segment: get, members, update, delete", async () => {
      const segment = await createSegment(owner.caller, { filterGroups: everyone });
      const missing = await stranger.caller.get(`/api/v1/segments/${UNKNOWN_ID}`);
      const attempts = [
        await stranger.caller.get(`/api/v1/segments/${segment.id}`),
        await stranger.caller.get(`/api/v1/segments/${segment.id}/members`),
        await stranger.caller.patch(`/api/v1/segments/${segment.id}`, { name: unique('stolen') }),
        await stranger.caller.delete(`/api/v1/segments/${segment.id}`),
      ];
      for (const response of attempts) {
        expectProblem(response, 404, { code: 'crm.segment_not_found' });
        expect(response.body).toEqual({
          ...missing.body,
          instance: response.body.instance,
          requestId: response.body.requestId,
        });
      }
      expectStatus(await owner.caller.get(`/api/v1/segments/${segment.id}`), 200);
    });

    it("leaves another user's private segment out of the list", async () => {
      const segment = await createSegment(owner.caller, { filterGroups: everyone });
      expect(await segmentIds(stranger.caller)).not.toContain(segment.id);
      expect(await segmentIds(owner.caller)).toContain(segment.id);
    });

    it('lets everyone see and use a shared_read segment but only its owner edit it (403)', async () => {
      const segment = await createSegment(owner.caller, {
        sharing: 'shared_read',
        filterGroups: everyone,
      });
      expect(await segmentIds(stranger.caller)).toContain(segment.id);
      expectStatus(await stranger.caller.get(`/api/v1/segments/${segment.id}/members`), 200);
      expectProblem(
        await stranger.caller.patch(`/api/v1/segments/${segment.id}`, { name: unique('taken') }),
        403,
        { code: 'crm.segment_not_editable' },
      );
      expectProblem(await stranger.caller.delete(`/api/v1/segments/${segment.id}`), 403, {
        code: 'crm.segment_not_editable',
      });
      expectStatus(
        await owner.caller.patch(`/api/v1/segments/${segment.id}`, { name: unique('renamed') }),
        200,
      );
    });

    it('lets everyone edit a shared_edit segment, but only its owner share or delete it', async () => {
      const segment = await createSegment(owner.caller, {
        sharing: 'shared_edit',
        filterGroups: everyone,
      });
      expectStatus(
        await stranger.caller.patch(`/api/v1/segments/${segment.id}`, { name: unique('edited') }),
        200,
      );
      expectProblem(
        await stranger.caller.patch(`/api/v1/segments/${segment.id}`, { sharing: 'private' }),
        403,
        { code: 'crm.segment_owner_only', field: 'sharing' },
      );
      expectProblem(await stranger.caller.delete(`/api/v1/segments/${segment.id}`), 403, {
        code: 'crm.segment_owner_only',
      });
      expectStatus(await owner.caller.delete(`/api/v1/segments/${segment.id}`), 204);
    });

    it('lets a super admin in person see, reshare and delete any private segment', async () => {
      const segment = await createSegment(owner.caller, { filterGroups: everyone });
      expect(await segmentIds(admin)).toContain(segment.id);
      expect(
        expectStatus(
          await admin.patch(`/api/v1/segments/${segment.id}`, { sharing: 'shared_read' }),
          200,
        ).body,
      ).toMatchObject({ ownerUserId: owner.id, sharing: 'shared_read' });
      expectStatus(await admin.delete(`/api/v1/segments/${segment.id}`), 204);
    });
  });

  const createSegment = async (
    caller: Caller,
    body: { sharing?: string; filterGroups: unknown[] },
  ): Promise<SegmentView> =>
    expectStatus(
      await caller.post('/api/v1/segments', {
        name: unique('segment'),
        objectType: 'contacts',
        ...body,
      }),
      201,
    ).body as SegmentView;

  const segmentIds = async (caller: Caller): Promise<string[]> => {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const body = expectStatus(
        await caller.get('/api/v1/segments', { limit: 100, ...(after ? { after } : {}) }),
        200,
      ).body as { results: SegmentView[]; paging: { next?: { after: string } } };
      ids.push(...body.results.map((s) => s.id));
      after = body.paging.next?.after;
    } while (after !== undefined);
    return ids;
  };
});
