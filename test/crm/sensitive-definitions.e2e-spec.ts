import { testDatabaseKinds } from '@custos/core/testing';
import { expectProblem, newAccount } from '../support/api';
import { USER_PASSWORD, newUser, uniqueEmail } from '../support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import { Setup, callerOf, expectStatus, type Caller } from '../access/access-support';
import { SensitiveDefinitionsSweep } from '../../src/crm/segments/sensitive-definitions.sweep';
import { CRM_VALUE_TABLES, createProperty, rawDatabaseText, uniqueName } from './crm-support';

/** Compared with a sensitive property in every kind of definition: never stored in clear. */
const CANARY = 'CANARY-d3f1n1t10n-5e4a';

/** Where definitions and their audit trail live, besides the record tables. */
const DEFINITION_TABLES = [
  ...CRM_VALUE_TABLES,
  'access_record_rule',
  'crm_segment',
  'crm_property',
] as const;

interface SegmentView {
  id: string;
  filterGroups: {
    filters: { propertyName: string; value?: unknown; values?: unknown[]; valueRedacted?: true }[];
  }[];
}

interface MembersView {
  total: number;
  results: { id: string }[];
}

describe.each(testDatabaseKinds())('Sensitive values in definitions on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  let support: Caller;
  let apiKey: Caller;
  let nationalId: string;
  let secretNote: string;
  let canaryContact: string;

  const rawText = () => rawDatabaseText(server, DEFINITION_TABLES);

  const rule = (condition: Record<string, unknown>, effect: 'restrict' | 'deny' = 'restrict') => ({
    name: uniqueName('rule'),
    objectType: 'contacts',
    actions: ['read'],
    effect,
    condition,
  });

  const segment = (filters: Record<string, unknown>[]) => ({
    name: uniqueName('segment'),
    objectType: 'contacts',
    filterGroups: [{ filters }],
    sharing: 'shared_read',
  });

  beforeAll(async () => {
    server = await startTestServer(kind);
    const adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    nationalId = uniqueName('national_id');
    secretNote = uniqueName('secret_note');
    await createProperty(admin, 'contacts', {
      name: nationalId,
      label: 'National ID',
      type: 'string',
      sensitivity: { access: 'everyone' },
    });
    await createProperty(admin, 'contacts', {
      name: secretNote,
      label: 'Secret note',
      type: 'string',
      sensitivity: { access: 'super_admins' },
    });
    canaryContact = (await setup.contact({ [nationalId]: CANARY, [secretNote]: CANARY })).id;

    const desk = await newAccount(server, adminToken, 'Support desk', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const person = await newUser(server, desk.token, { email: uniqueEmail('support') });
    expectStatus(
      await admin.post('/api/v1/support-access', {
        supportUserEmail: person.email,
        reason: 'Ticket #11: definitions look wrong',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      201,
    );
    const login = expectStatus(
      await server
        .http()
        .post('/api/v1/auth/login')
        .send({ email: person.email, password: USER_PASSWORD, accountId: server.accountId }),
      200,
    );
    support = callerOf(server, (login.body as { accessToken: string }).accessToken);
    const key = expectStatus(
      await admin.post('/api/v1/api-keys', {
        name: 'Definitions sync',
        scopes: ['manage_roles', 'manage_properties', 'view_audit_log'],
      }),
      201,
    ).body as { key: string };
    apiKey = callerOf(server, key.key);
  });

  afterAll(async () => server.close());

  it('refuses a record rule comparing a sensitive property (422 naming the condition field)', async () => {
    expectProblem(
      await admin.post('/api/v1/record-rules', rule({ [nationalId]: { $ne: CANARY } })),
      422,
      { code: 'access.sealed_condition_field', field: `condition.${nationalId}` },
    );
  });

  it('refuses a deny rule on a sensitive property instead of accepting one that never applies', async () => {
    expectProblem(
      await admin.post('/api/v1/record-rules', rule({ [nationalId]: CANARY }, 'deny')),
      422,
      { code: 'access.sealed_condition_field', field: `condition.${nationalId}` },
    );
    expectStatus(await admin.get(`/api/v1/objects/contacts/${canaryContact}`), 200);
  });

  it('refuses a sensitive property nested in $or or $not, and testing mere presence', async () => {
    for (const condition of [
      { $or: [{ country: 'DE' }, { [nationalId]: { $in: [CANARY] } }] },
      { $not: { [secretNote]: CANARY } },
      { [nationalId]: { $exists: true } },
    ]) {
      expectProblem(await admin.post('/api/v1/record-rules', rule(condition)), 422, {
        code: 'access.sealed_condition_field',
      });
    }
  });

  it('refuses to replace a rule with a condition on a sensitive property, leaving it as it was', async () => {
    const id = await setup.rule({ condition: { country: 'DE' } });
    expectProblem(
      await admin.put(`/api/v1/record-rules/${id}`, rule({ [nationalId]: CANARY }, 'deny')),
      422,
      { code: 'access.sealed_condition_field', field: `condition.${nationalId}` },
    );
    const kept = expectStatus(await admin.get(`/api/v1/record-rules/${id}`), 200).body as {
      condition: unknown;
    };
    expect(kept.condition).toEqual({ country: 'DE' });
  });

  it('refuses a sealed field to an API key of a super admin too', async () => {
    expectProblem(await apiKey.post('/api/v1/record-rules', rule({ [nationalId]: CANARY })), 422, {
      code: 'access.sealed_condition_field',
    });
  });

  it('refuses a score rule on a sensitive property, on create and on update', async () => {
    expectProblem(
      await admin.post('/api/v1/properties/contacts', {
        name: uniqueName('score'),
        label: 'Score',
        type: 'score',
        scoreRules: [{ propertyName: nationalId, operator: 'eq', value: CANARY, points: 5 }],
      }),
      422,
      { code: 'crm.invalid_score_rule', field: 'scoreRules[0].propertyName' },
    );
    const score = await createProperty(admin, 'contacts', {
      name: uniqueName('score'),
      label: 'Score',
      type: 'score',
      scoreRules: [{ propertyName: 'country', operator: 'eq', value: 'DE', points: 1 }],
    });
    expectProblem(
      await admin.patch(`/api/v1/properties/contacts/${score.name}`, {
        scoreRules: [{ propertyName: secretNote, operator: 'eq', value: CANARY, points: 5 }],
      }),
      422,
      { code: 'crm.invalid_score_rule', field: 'scoreRules[0].propertyName' },
    );
  });

  it('stores a segment filter on a sensitive property as a blind-index token, never the value', async () => {
    const created = expectStatus(
      await admin.post(
        '/api/v1/segments',
        segment([{ propertyName: nationalId, operator: 'eq', value: CANARY }]),
      ),
      201,
    ).body as SegmentView;
    const [row] = await server.dataSource.query<{ filter_groups: string }[]>(
      kind === 'postgres'
        ? 'SELECT filter_groups FROM crm_segment WHERE id = $1'
        : 'SELECT filter_groups FROM crm_segment WHERE id = ?',
      [created.id],
    );
    expect(row.filter_groups).not.toContain(CANARY);
    expect(row.filter_groups).toMatch(/"tokens":\["[0-9a-f]{16}"\]/);
  });

  it('finds the members of a segment whose sensitive filter holds only tokens', async () => {
    const created = expectStatus(
      await admin.post(
        '/api/v1/segments',
        segment([{ propertyName: nationalId, operator: 'eq', value: ` ${CANARY.toLowerCase()} ` }]),
      ),
      201,
    ).body as SegmentView;
    const members = expectStatus(await admin.get(`/api/v1/segments/${created.id}/members`), 200)
      .body as MembersView;
    expect(members.results.map((r) => r.id)).toEqual([canaryContact]);
    expect(members.total).toBe(1);
  });

  it('updates a segment to an `in` filter on a sensitive property without storing the values', async () => {
    const created = expectStatus(
      await admin.post(
        '/api/v1/segments',
        segment([{ propertyName: 'country', operator: 'eq', value: 'DE' }]),
      ),
      201,
    ).body as SegmentView;
    expectStatus(
      await admin.patch(`/api/v1/segments/${created.id}`, {
        filterGroups: [
          {
            filters: [
              { propertyName: secretNote, operator: 'in', values: ['NOT-THIS-ONE', CANARY] },
            ],
          },
        ],
      }),
      200,
    );
    const members = expectStatus(await admin.get(`/api/v1/segments/${created.id}/members`), 200)
      .body as MembersView;
    expect(members.results.map((r) => r.id)).toEqual([canaryContact]);
    expect(await rawText()).not.toContain('NOT-THIS-ONE');
  });

  it('shows sensitive segment filters redacted to everyone, the super admin who wrote them included', async () => {
    const created = expectStatus(
      await admin.post(
        '/api/v1/segments',
        segment([{ propertyName: nationalId, operator: 'in', values: [CANARY] }]),
      ),
      201,
    ).body as SegmentView;
    const expected = [
      { filters: [{ propertyName: nationalId, operator: 'in', valueRedacted: true }] },
    ];
    expect(created.filterGroups).toEqual(expected);
    for (const reader of [admin, apiKey, support]) {
      const shown = expectStatus(await reader.get(`/api/v1/segments/${created.id}`), 200)
        .body as SegmentView;
      expect(shown.filterGroups).toEqual(expected);
    }
  });

  it('hides the sensitive value of a rule written before sealed fields were refused from an API key, and every rule from a support session', async () => {
    const id = await setup.rule({ condition: { country: 'DE' } });
    await server.dataSource.query(
      kind === 'postgres'
        ? 'UPDATE access_record_rule SET condition = $1 WHERE id = $2'
        : 'UPDATE access_record_rule SET condition = ? WHERE id = ?',
      [JSON.stringify({ [secretNote]: 'LEGACY-SECRET' }), id],
    );
    const byKey = expectStatus(await apiKey.get(`/api/v1/record-rules/${id}`), 200).body as {
      condition: unknown;
    };
    expect(byKey.condition).toEqual({ [secretNote]: { $redacted: true } });
    // Support sessions hold no manage_roles: they see no rule at all.
    expectProblem(await support.get(`/api/v1/record-rules/${id}`), 403);
  });

  it('replaces, at start, the clear values of a segment saved before tokens by their tokens, keeping its members', async () => {
    const created = expectStatus(
      await admin.post(
        '/api/v1/segments',
        segment([{ propertyName: 'country', operator: 'eq', value: 'DE' }]),
      ),
      201,
    ).body as SegmentView;
    const legacy = [
      { filters: [{ propertyName: nationalId, operator: 'eq', value: 'LEGACY-SEGMENT-VALUE' }] },
      { filters: [{ propertyName: secretNote, operator: 'in', values: [CANARY.toLowerCase()] }] },
    ];
    await server.dataSource.query(
      kind === 'postgres'
        ? 'UPDATE crm_segment SET filter_groups = $1 WHERE id = $2'
        : 'UPDATE crm_segment SET filter_groups = ? WHERE id = ?',
      [JSON.stringify(legacy), created.id],
    );
    const report = await server.app.get(SensitiveDefinitionsSweep).sweep();
    expect(report.tokenizedSegments).toEqual([created.id]);
    expect(await rawText()).not.toContain('LEGACY-SEGMENT-VALUE');
    const members = expectStatus(await admin.get(`/api/v1/segments/${created.id}/members`), 200)
      .body as MembersView;
    expect(members.results.map((r) => r.id)).toEqual([canaryContact]);
  });

  it('reports, at start, a rule saved before sealed fields were refused, naming it and never its value', async () => {
    const id = await setup.rule({ condition: { country: 'DE' } });
    await server.dataSource.query(
      kind === 'postgres'
        ? 'UPDATE access_record_rule SET condition = $1 WHERE id = $2'
        : 'UPDATE access_record_rule SET condition = ? WHERE id = ?',
      [JSON.stringify({ [nationalId]: { $ne: 'LEGACY-RULE-VALUE' } }), id],
    );
    const report = await server.app.get(SensitiveDefinitionsSweep).sweep();
    expect(report.unenforceableRules).toContain(id);
    const logged = server.logs.join('\n');
    expect(logged).toContain(id);
    expect(logged).not.toContain('LEGACY-RULE-VALUE');
  });

  it('never stores the canary of any definition path in clear, nor shows it to a support session', async () => {
    expect(await rawText()).not.toContain(CANARY);
    for (const path of ['/api/v1/segments', '/api/v1/properties/contacts', '/api/v1/audit-log']) {
      const response = expectStatus(await support.get(path, { limit: 100 }), 200);
      expect(JSON.stringify(response.body)).not.toContain(CANARY);
    }
    expect(server.logs.join('\n')).not.toContain(CANARY);
  });
});
