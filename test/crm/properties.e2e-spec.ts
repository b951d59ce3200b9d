import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, auditHead, expectProblem } from '../support/api';
import { newUser } from '../support/factories';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  callerOf,
  createProperty,
  createRecord,
  expectStatus,
  uniqueName,
  type Caller,
  type PropertyView,
} from './crm-support';

describe.each(testDatabaseKinds())('CRM properties API on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let member: Caller;
  let scopedKey: Caller;
  let unscopedKey: Caller;

  const listNames = async (objectType = 'contacts'): Promise<string[]> =>
    (
      expectStatus(await admin.get(`/api/v1/properties/${objectType}`), 200).body
        .results as PropertyView[]
    ).map((p) => p.name);

  /** Asserts that nothing was written: no audit event, and the property list is unchanged. */
  const expectNothingWritten = async (head: number, names: string[]) => {
    expect(await auditHead(server, adminToken)).toBe(head);
    expect(await listNames()).toEqual(names);
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    member = callerOf(server, (await newUser(server, adminToken)).token);
    const key = async (scopes: string[]) =>
      callerOf(
        server,
        expectStatus(
          await admin.post('/api/v1/api-keys', { name: `Schema sync ${scopes.join(' ')}`, scopes }),
          201,
        ).body.key as string,
      );
    scopedKey = await key(['manage_properties']);
    unscopedKey = await key(['view_audit_log']);
  });

  afterAll(async () => {
    await server.close();
  });

  describe('list and get', () => {
    it('lists standard properties (with the system ones) first, then custom ones by name', async () => {
      const custom = await createProperty(admin, 'companies', {
        name: uniqueName('zz_custom'),
        label: 'Custom',
        type: 'string',
      });
      const response = await admin.get('/api/v1/properties/companies');
      expect(response.status).toBe(200);
      const results = response.body.results as PropertyView[];
      const names = results.map((p) => p.name);
      expect(names.slice(0, 11)).toEqual([
        'name',
        'domain',
        'industry',
        'phone',
        'city',
        'country',
        'numberofemployees',
        'annualrevenue',
        'owner_id',
        'createdate',
        'lastmodifieddate',
      ]);
      expect(names).toContain(custom.name);
      expect(results.slice(0, 11).every((p) => p.standard)).toBe(true);
      expect(results.find((p) => p.name === custom.name)).toMatchObject({
        standard: false,
        readOnly: false,
      });
      expect(results.find((p) => p.name === 'domain')).toMatchObject({
        type: 'string',
        unique: true,
        standard: true,
        readOnly: false,
      });
      expect(results.find((p) => p.name === 'createdate')).toMatchObject({
        type: 'datetime',
        readOnly: true,
      });
    });

    it('lists the options of standard enumerations', async () => {
      const response = await admin.get('/api/v1/properties/deals/dealstage');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name: 'dealstage', type: 'enumeration' });
      expect((response.body.options as { value: string }[]).map((o) => o.value)).toContain(
        'closedwon',
      );
    });

    it('lets any member read properties', async () => {
      expect((await member.get('/api/v1/properties/contacts')).status).toBe(200);
      expect((await member.get('/api/v1/properties/contacts/email')).status).toBe(200);
    });

    it('answers an unknown property with 404', async () => {
      expectProblem(await admin.get('/api/v1/properties/contacts/shoe_size'), 404, {
        code: 'crm.property_not_found',
      });
    });

    it('answers a malformed object type or property name with 422 naming it', async () => {
      expectProblem(await admin.get('/api/v1/properties/Contacts'), 422, {
        code: 'crm.invalid_object_type',
        field: 'objectType',
      });
      expectProblem(await admin.get('/api/v1/properties/contacts/Shoe-Size'), 422, {
        code: 'crm.invalid_property_name',
        field: 'name',
      });
      expectProblem(await admin.delete('/api/v1/properties/contacts/Shoe-Size'), 422, {
        field: 'name',
      });
    });

    it.each([
      ['get', '/api/v1/properties/widgets'],
      ['get', '/api/v1/properties/widgets/email'],
      ['post', '/api/v1/properties/widgets'],
      ['patch', '/api/v1/properties/widgets/email'],
      ['delete', '/api/v1/properties/widgets/email'],
    ] as const)('answers %s %s (unknown object type) with 404', async (method, path) => {
      const request =
        method === 'post'
          ? admin.post(path, { name: 'any_name', label: 'Any', type: 'string' })
          : method === 'patch'
            ? admin.patch(path, { label: 'Any' })
            : admin[method](path);
      expectProblem(await request, 404, { code: 'crm.unknown_object_type' });
    });
  });

  describe('create', () => {
    it.each<[string, Record<string, unknown>, unknown, unknown]>([
      ['string', {}, 'gold member', 'gold member'],
      ['number', {}, '42.5', 42.5],
      ['bool', {}, 'true', true],
      ['date', {}, '2026-11-22', '2026-11-22'],
      ['datetime', {}, '2026-11-22T20:42:00+02:00', '2026-11-22T18:42:00.000Z'],
      [
        'enumeration',
        {
          options: [
            { value: 'gold', label: 'Gold' },
            { value: 'silver', label: 'Silver' },
          ],
        },
        'silver',
        'silver',
      ],
      [
        'file',
        {},
        'https://files.example.com/contract.pdf',
        'https://files.example.com/contract.pdf',
      ],
    ])('creates a %s property whose values records then hold', async (type, extra, raw, stored) => {
      const name = uniqueName(`p_${type}`);
      const response = await admin.post('/api/v1/properties/contacts', {
        name,
        label: `A ${type}`,
        groupName: 'loyalty',
        description: `Holds a ${type}`,
        type,
        ...extra,
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        name,
        label: `A ${type}`,
        groupName: 'loyalty',
        description: `Holds a ${type}`,
        type,
        options: (extra.options as unknown[] | undefined) ?? [],
        unique: false,
        required: false,
        standard: false,
        readOnly: false,
        formula: null,
        scoreRules: [],
        sensitivity: null,
        indexed: false,
        indexState: null,
        dataCategory: null,
      });
      expect((await admin.get(`/api/v1/properties/contacts/${name}`)).body).toEqual(response.body);
      const record = await createRecord(admin, 'contacts', { [name]: raw });
      expect(record.properties[name]).toEqual(stored);
      const read = await admin.get(`/api/v1/objects/contacts/${record.id}`, { properties: name });
      expect(read.body.properties).toEqual({ [name]: stored });
    });

    it('defaults the group to "custom" and the description to ""', async () => {
      const created = await createProperty(admin, 'deals', {
        name: uniqueName('plain'),
        label: 'Plain',
        type: 'string',
      });
      expect(created).toMatchObject({ groupName: 'custom', description: '' });
    });

    it('refuses a property named constructor or prototype: no body may carry its values (422)', async () => {
      const head = await auditHead(server, adminToken);
      const names = await listNames();
      for (const name of ['constructor', 'prototype']) {
        expectProblem(
          await admin.post('/api/v1/properties/contacts', {
            name,
            label: 'Reserved',
            type: 'string',
          }),
          422,
          { field: 'name' },
        );
      }
      await expectNothingWritten(head, names);
    });

    it('creates a unique, required property and enforces both on records', async () => {
      const name = uniqueName('member_no');
      const created = await createProperty(admin, 'companies', {
        name,
        label: 'Member number',
        type: 'string',
        unique: true,
        required: true,
      });
      expect(created).toMatchObject({ unique: true, required: true });
      expectProblem(await admin.post('/api/v1/objects/companies', { properties: {} }), 422, {
        code: 'crm.required_property',
        field: `properties.${name}`,
      });
      await createRecord(admin, 'companies', { [name]: 'M-1' });
      expectProblem(
        await admin.post('/api/v1/objects/companies', { properties: { [name]: 'm-1' } }),
        409,
        { code: 'crm.unique_value_taken', field: `properties.${name}` },
      );
      // Later suites create companies: the required property must not be in their way.
      expectStatus(await admin.delete(`/api/v1/properties/companies/${name}`), 204);
    });

    it('creates a score property whose points records get from its rules', async () => {
      const name = uniqueName('lead_score');
      const response = await admin.post('/api/v1/properties/contacts', {
        name,
        label: 'Lead score',
        type: 'score',
        scoreRules: [
          { propertyName: 'lifecyclestage', operator: 'eq', value: 'customer', points: 10 },
          { propertyName: 'email', operator: 'has_property', points: 5 },
          { propertyName: 'country', operator: 'neq', value: 'DE', points: 1 },
        ],
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ type: 'score', readOnly: true, unique: false });
      expect(response.body.scoreRules).toHaveLength(3);
      const record = await createRecord(admin, 'contacts', {
        lifecyclestage: 'customer',
        email: `${name}@example.com`,
        country: 'DE',
      });
      expect(record.properties[name]).toBe(15);
      const updated = await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
        properties: { lifecyclestage: 'lead', country: 'FR' },
      });
      expect(updated.body.properties[name]).toBe(6);
      expect(
        (await admin.get('/api/v1/properties/contacts')).body.results.find(
          (p: PropertyView) => p.name === name,
        ),
      ).toMatchObject({ readOnly: true });
    });

    it('creates a calculation property over number properties, computed on every write', async () => {
      const points = await createProperty(admin, 'contacts', {
        name: uniqueName('points'),
        label: 'Points',
        type: 'number',
      });
      const name = uniqueName('double_points');
      const response = await admin.post('/api/v1/properties/contacts', {
        name,
        label: 'Double points plus one',
        type: 'calculation',
        formula: `${points.name} * 2 + 1`,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        type: 'calculation',
        formula: `${points.name} * 2 + 1`,
        readOnly: true,
      });
      const record = await createRecord(admin, 'contacts', { [points.name]: 20 });
      expect(record.properties[name]).toBe(41);
      const cleared = await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
        properties: { [points.name]: null },
      });
      expect(cleared.body.properties[name]).toBeNull();
    });

    it('audits property.created with the new definition', async () => {
      const name = uniqueName('audited');
      await createProperty(admin, 'deals', {
        name,
        label: 'Audited',
        type: 'enumeration',
        options: [{ value: 'a', label: 'A' }],
      });
      const events = await auditEvents(server, adminToken, { targetId: `deals.${name}` });
      expect(events).toEqual([
        expect.objectContaining({
          action: 'property.created',
          targetType: 'property',
          targetId: `deals.${name}`,
          metadata: {
            after: {
              name,
              label: 'Audited',
              groupName: 'custom',
              type: 'enumeration',
              options: ['a'],
              unique: false,
              required: false,
              formula: null,
              scoreRules: [],
              sensitivity: null,
              indexed: false,
              dataCategory: null,
            },
          },
        }),
      ]);
    });
  });

  describe('create refusals (nothing written)', () => {
    const base = { label: 'Refused', type: 'string' };

    it.each<[string, Record<string, unknown>, number, string, string]>([
      ['an upper-case name', { name: 'Bad_Name' }, 422, 'core.validation_failed', 'name'],
      ['a name with a dash', { name: 'bad-name' }, 422, 'core.validation_failed', 'name'],
      ['a name starting with a digit', { name: '1st_name' }, 422, 'core.validation_failed', 'name'],
      [
        'a name of 101 characters',
        { name: `a${'b'.repeat(100)}` },
        422,
        'core.validation_failed',
        'name',
      ],
      ['a standard name', { name: 'email' }, 409, 'crm.duplicate_property', 'name'],
      ['a system name', { name: 'createdate' }, 409, 'crm.duplicate_property', 'name'],
      ['an unknown type', { type: 'currency' }, 422, 'core.validation_failed', 'type'],
      ['an empty label', { label: '' }, 422, 'core.validation_failed', 'label'],
      [
        'an enumeration without options',
        { type: 'enumeration' },
        422,
        'crm.options_required',
        'options',
      ],
      [
        'an enumeration with an empty list of options',
        { type: 'enumeration', options: [] },
        422,
        'core.validation_failed',
        'options',
      ],
      [
        'an enumeration with a duplicate option',
        {
          type: 'enumeration',
          options: [
            { value: 'a', label: 'A' },
            { value: 'b', label: 'B' },
            { value: 'a', label: 'Again' },
          ],
        },
        422,
        'crm.duplicate_option',
        'options[2].value',
      ],
      [
        'options on a string',
        { options: [{ value: 'a', label: 'A' }] },
        422,
        'crm.options_not_allowed',
        'options',
      ],
      [
        'a calculation without a formula',
        { type: 'calculation' },
        422,
        'crm.formula_required',
        'formula',
      ],
      [
        'a calculation with a malformed formula',
        { type: 'calculation', formula: 'amount * (2' },
        422,
        'crm.invalid_formula',
        'formula',
      ],
      [
        'a calculation over a string property',
        { type: 'calculation', formula: 'firstname * 2' },
        422,
        'crm.invalid_formula',
        'formula',
      ],
      [
        'a calculation over an unknown property',
        { type: 'calculation', formula: 'shoe_size * 2' },
        422,
        'crm.invalid_formula',
        'formula',
      ],
      [
        'a formula on a number',
        { type: 'number', formula: '1 + 1' },
        422,
        'crm.formula_not_allowed',
        'formula',
      ],
      [
        'a unique calculation',
        { type: 'calculation', formula: '1 + 1', unique: true },
        422,
        'crm.unique_not_allowed',
        'unique',
      ],
      [
        'a required calculation',
        { type: 'calculation', formula: '1 + 1', required: true },
        422,
        'crm.required_not_allowed',
        'required',
      ],
      ['a unique score', { type: 'score', unique: true }, 422, 'crm.unique_not_allowed', 'unique'],
      [
        'a required score',
        { type: 'score', required: true },
        422,
        'crm.required_not_allowed',
        'required',
      ],
      ['a unique bool', { type: 'bool', unique: true }, 422, 'crm.unique_not_allowed', 'unique'],
      [
        'a score rule on an unknown property',
        {
          type: 'score',
          scoreRules: [
            { propertyName: 'email', operator: 'has_property', points: 1 },
            { propertyName: 'shoe_size', operator: 'eq', value: 42, points: 1 },
          ],
        },
        422,
        'crm.invalid_score_rule',
        'scoreRules[1].propertyName',
      ],
      [
        'a score rule with an unknown operator',
        {
          type: 'score',
          scoreRules: [{ propertyName: 'email', operator: 'like', value: 'x', points: 1 }],
        },
        422,
        'core.validation_failed',
        'scoreRules[0].operator',
      ],
      [
        'score rules on a number',
        {
          type: 'number',
          scoreRules: [{ propertyName: 'email', operator: 'has_property', points: 1 }],
        },
        422,
        'crm.score_rules_not_allowed',
        'scoreRules',
      ],
      [
        'a mass-assigned standard flag',
        { standard: true },
        422,
        'core.validation_failed',
        'standard',
      ],
      [
        'a mass-assigned readOnly flag',
        { readOnly: true },
        422,
        'core.validation_failed',
        'readOnly',
      ],
    ])('refuses %s', async (_case, fields, status, code, field) => {
      const names = await listNames();
      const head = await auditHead(server, adminToken);
      const response = await admin.post('/api/v1/properties/contacts', {
        name: uniqueName('refused'),
        ...base,
        ...fields,
      });
      expectProblem(response, status, { code, field });
      await expectNothingWritten(head, names);
    });

    it('refuses a duplicate custom name with 409 naming name', async () => {
      const name = uniqueName('twice');
      await createProperty(admin, 'contacts', { name, ...base });
      const names = await listNames();
      const head = await auditHead(server, adminToken);
      expectProblem(await admin.post('/api/v1/properties/contacts', { name, ...base }), 409, {
        code: 'crm.duplicate_property',
        field: 'name',
      });
      await expectNothingWritten(head, names);
    });

    it('allows the same name on another object type', async () => {
      const name = uniqueName('shared');
      await createProperty(admin, 'contacts', { name, ...base });
      await createProperty(admin, 'deals', { name, ...base });
    });
  });

  describe('update', () => {
    it('changes label, group, description, options and required, auditing before and after', async () => {
      const name = uniqueName('tier');
      await createProperty(admin, 'contacts', {
        name,
        label: 'Tier',
        type: 'enumeration',
        options: [{ value: 'gold', label: 'Gold' }],
      });
      const response = await admin.patch(`/api/v1/properties/contacts/${name}`, {
        label: 'Loyalty tier',
        groupName: 'loyalty',
        description: 'Tier in the programme',
        options: [
          { value: 'gold', label: 'Gold' },
          { value: 'silver', label: 'Silver' },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        name,
        label: 'Loyalty tier',
        groupName: 'loyalty',
        description: 'Tier in the programme',
        type: 'enumeration',
      });
      expect((await admin.get(`/api/v1/properties/contacts/${name}`)).body).toEqual(response.body);
      expect((await createRecord(admin, 'contacts', { [name]: 'silver' })).properties[name]).toBe(
        'silver',
      );
      const [event] = await auditEvents(server, adminToken, {
        targetId: `contacts.${name}`,
        action: 'property.updated',
      });
      expect(event.metadata).toEqual({
        before: expect.objectContaining({ label: 'Tier', groupName: 'custom', options: ['gold'] }),
        after: expect.objectContaining({
          label: 'Loyalty tier',
          groupName: 'loyalty',
          options: ['gold', 'silver'],
        }),
      });
    });

    it('changes the type while no record has a value, and refuses it once one has', async () => {
      const name = uniqueName('code');
      await createProperty(admin, 'contacts', { name, label: 'Code', type: 'string' });
      const retyped = await admin.patch(`/api/v1/properties/contacts/${name}`, { type: 'number' });
      expect(retyped.status).toBe(200);
      expect(retyped.body.type).toBe('number');
      const record = await createRecord(admin, 'contacts', { [name]: 7 });
      const names = await listNames();
      const head = await auditHead(server, adminToken);
      expectProblem(
        await admin.patch(`/api/v1/properties/contacts/${name}`, { type: 'string' }),
        422,
        { code: 'crm.property_has_values', field: 'type' },
      );
      await expectNothingWritten(head, names);
      expect((await admin.get(`/api/v1/properties/contacts/${name}`)).body.type).toBe('number');
      // Archived records still hold values.
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${record.id}`), 204);
      expectProblem(
        await admin.patch(`/api/v1/properties/contacts/${name}`, { type: 'string' }),
        422,
        { field: 'type' },
      );
      // Once the value is gone, the type may change again.
      expectStatus(
        await admin.delete(`/api/v1/objects/contacts/${record.id}`, { purge: true }),
        204,
      );
      expectStatus(await admin.patch(`/api/v1/properties/contacts/${name}`, { type: 'date' }), 200);
    });

    it('retypes to an enumeration only with options, and drops options when leaving it', async () => {
      const name = uniqueName('kind');
      await createProperty(admin, 'deals', { name, label: 'Kind', type: 'string' });
      expectProblem(
        await admin.patch(`/api/v1/properties/deals/${name}`, { type: 'enumeration' }),
        422,
        { code: 'crm.options_required', field: 'options' },
      );
      const enumeration = await admin.patch(`/api/v1/properties/deals/${name}`, {
        type: 'enumeration',
        options: [{ value: 'new', label: 'New' }],
      });
      expect(enumeration.status).toBe(200);
      const back = await admin.patch(`/api/v1/properties/deals/${name}`, { type: 'string' });
      expect(back.status).toBe(200);
      expect(back.body.options).toEqual([]);
    });

    it.each<[string, Record<string, unknown>, string, string]>([
      ['unique (never changes)', { unique: true }, 'core.validation_failed', 'unique'],
      ['the name', { name: 'renamed' }, 'core.validation_failed', 'name'],
      ['an unknown type', { type: 'currency' }, 'core.validation_failed', 'type'],
      [
        'options on a string',
        { options: [{ value: 'a', label: 'A' }] },
        'crm.options_not_allowed',
        'options',
      ],
      [
        'required on a calculation',
        { type: 'calculation', formula: '1 + 2', required: true },
        'crm.required_not_allowed',
        'required',
      ],
    ])('refuses changing %s with 422', async (_case, body, code, field) => {
      const name = uniqueName('fixed');
      await createProperty(admin, 'contacts', { name, label: 'Fixed', type: 'string' });
      const head = await auditHead(server, adminToken);
      expectProblem(await admin.patch(`/api/v1/properties/contacts/${name}`, body), 422, {
        code,
        field,
      });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await admin.get(`/api/v1/properties/contacts/${name}`)).body).toMatchObject({
        name,
        type: 'string',
        unique: false,
        required: false,
      });
    });

    it.each(['email', 'lifecyclestage', 'createdate', 'owner_id'])(
      'refuses changing the standard property %s with 409',
      async (name) => {
        const head = await auditHead(server, adminToken);
        expectProblem(
          await admin.patch(`/api/v1/properties/contacts/${name}`, { label: 'Changed' }),
          409,
          { code: 'crm.standard_property' },
        );
        expect(await auditHead(server, adminToken)).toBe(head);
      },
    );

    it('answers an unknown property with 404', async () => {
      expectProblem(
        await admin.patch('/api/v1/properties/contacts/shoe_size', { label: 'Shoe size' }),
        404,
        { code: 'crm.property_not_found' },
      );
    });
  });

  describe('delete', () => {
    it('deletes a custom property with its values, auditing the definition it had', async () => {
      const name = uniqueName('nickname');
      await createProperty(admin, 'contacts', {
        name,
        label: 'Nickname',
        type: 'string',
        unique: true,
      });
      const record = await createRecord(admin, 'contacts', { [name]: 'Ace', firstname: 'Kept' });
      expectStatus(await admin.delete(`/api/v1/properties/contacts/${name}`), 204);
      expect(await listNames()).not.toContain(name);
      const read = await admin.get(`/api/v1/objects/contacts/${record.id}`);
      expect(read.body.properties).not.toHaveProperty(name);
      expect(read.body.properties.firstname).toBe('Kept');
      expectProblem(
        await admin.post('/api/v1/objects/contacts', { properties: { [name]: 'Ace' } }),
        422,
        { code: 'crm.unknown_property', field: `properties.${name}` },
      );
      // A new property of the same name starts empty: the old values and reservations are gone.
      await createProperty(admin, 'contacts', {
        name,
        label: 'Nickname',
        type: 'string',
        unique: true,
      });
      expect(
        (await admin.get(`/api/v1/objects/contacts/${record.id}`, { properties: name })).body
          .properties,
      ).toEqual({ [name]: null });
      expect((await createRecord(admin, 'contacts', { [name]: 'ace' })).properties[name]).toBe(
        'ace',
      );
      const [event] = await auditEvents(server, adminToken, {
        targetId: `contacts.${name}`,
        action: 'property.deleted',
      });
      expect(event).toMatchObject({
        targetType: 'property',
        metadata: { before: expect.objectContaining({ name, type: 'string', unique: true }) },
      });
    });

    it.each(['email', 'createdate'])(
      'refuses deleting the standard property %s with 409',
      async (name) => {
        const head = await auditHead(server, adminToken);
        expectProblem(await admin.delete(`/api/v1/properties/contacts/${name}`), 409, {
          code: 'crm.standard_property',
        });
        expect(await auditHead(server, adminToken)).toBe(head);
        expect(await listNames()).toContain(name);
      },
    );

    it('answers an unknown property with 404', async () => {
      expectProblem(await admin.delete('/api/v1/properties/contacts/shoe_size'), 404, {
        code: 'crm.property_not_found',
      });
    });

    it('refuses deleting or retyping a property a calculation or score uses, with 409', async () => {
      const input = await createProperty(admin, 'deals', {
        name: uniqueName('cost'),
        label: 'Cost',
        type: 'number',
      });
      const calculation = await createProperty(admin, 'deals', {
        name: uniqueName('margin'),
        label: 'Margin',
        type: 'calculation',
        formula: `amount - ${input.name}`,
      });
      const scored = await createProperty(admin, 'deals', {
        name: uniqueName('region'),
        label: 'Region',
        type: 'string',
      });
      const score = await createProperty(admin, 'deals', {
        name: uniqueName('deal_score'),
        label: 'Deal score',
        type: 'score',
        scoreRules: [{ propertyName: scored.name, operator: 'eq', value: 'EU', points: 3 }],
      });
      const head = await auditHead(server, adminToken);
      for (const [name, user] of [
        [input.name, calculation.name],
        [scored.name, score.name],
      ]) {
        const removed = await admin.delete(`/api/v1/properties/deals/${name}`);
        expectProblem(removed, 409, { code: 'crm.property_in_use' });
        expect(removed.body.detail).toContain(user);
        expectProblem(
          await admin.patch(`/api/v1/properties/deals/${name}`, { type: 'date' }),
          409,
          { code: 'crm.property_in_use' },
        );
      }
      expect(await auditHead(server, adminToken)).toBe(head);
      // Once nothing uses them, they can go.
      expectStatus(await admin.delete(`/api/v1/properties/deals/${calculation.name}`), 204);
      expectStatus(await admin.delete(`/api/v1/properties/deals/${input.name}`), 204);
      expectStatus(await admin.delete(`/api/v1/properties/deals/${score.name}`), 204);
      expectStatus(await admin.delete(`/api/v1/properties/deals/${scored.name}`), 204);
    });
  });

  describe('privileges', () => {
    it('refuses writes to a member without manage_properties with 403, writing nothing', async () => {
      const name = uniqueName('by_member');
      await createProperty(admin, 'contacts', { name, label: 'Existing', type: 'string' });
      const names = await listNames();
      const head = await auditHead(server, adminToken);
      expectProblem(
        await member.post('/api/v1/properties/contacts', {
          name: uniqueName('member_made'),
          label: 'Member made',
          type: 'string',
        }),
        403,
      );
      expectProblem(
        await member.patch(`/api/v1/properties/contacts/${name}`, { label: 'Renamed' }),
        403,
      );
      expectProblem(await member.delete(`/api/v1/properties/contacts/${name}`), 403);
      await expectNothingWritten(head, names);
      expect((await admin.get(`/api/v1/properties/contacts/${name}`)).body.label).toBe('Existing');
    });

    it('refuses an API key without the manage_properties scope with 403', async () => {
      expectProblem(
        await unscopedKey.post('/api/v1/properties/contacts', {
          name: uniqueName('key_made'),
          label: 'Key made',
          type: 'string',
        }),
        403,
      );
    });

    it('lets an API key with the manage_properties scope create, update and delete, audited as the key', async () => {
      const name = uniqueName('key_made');
      expectStatus(
        await scopedKey.post('/api/v1/properties/contacts', {
          name,
          label: 'Key made',
          type: 'string',
        }),
        201,
      );
      expectStatus(
        await scopedKey.patch(`/api/v1/properties/contacts/${name}`, { label: 'Key changed' }),
        200,
      );
      expectStatus(await scopedKey.get(`/api/v1/properties/contacts/${name}`), 200);
      expectStatus(await scopedKey.delete(`/api/v1/properties/contacts/${name}`), 204);
      const events = await auditEvents(server, adminToken, { targetId: `contacts.${name}` });
      expect(events.map((e) => [e.action, e.actor.kind])).toEqual([
        ['property.deleted', 'private_app'],
        ['property.updated', 'private_app'],
        ['property.created', 'private_app'],
      ]);
    });
  });
});
