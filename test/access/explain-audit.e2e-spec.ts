import { testDatabaseKinds } from '@custos/core/testing';
import type { Response } from 'supertest';
import { expectProblem, type AuditEventView } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  expectStatus,
  Setup,
  unique,
  type Caller,
  type PrivilegeInput,
} from './access-support';

const READ_OWN: PrivilegeInput = { objectType: 'contacts', action: 'read', level: 'own' };
const READ_ACCOUNT: PrivilegeInput = { objectType: 'contacts', action: 'read', level: 'account' };

/** What a client can tell two problem responses apart by (ids of the request left out). */
function problemOf(response: Response): Record<string, unknown> {
  const body = response.body as Record<string, unknown>;
  return {
    status: response.status,
    code: body.code,
    title: body.title,
    detail: body.detail,
    errors: body.errors,
  };
}

describe.each(testDatabaseKinds())('explain and the audit log on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let setup: Setup;
  let admin: Caller;
  /** A property every test hides from non-super-admins with a field permission. */
  let salary: string;
  /** A sensitive property everyone (with enterprise) may read in clear. */
  let nationalId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    salary = unique('salary').replace(/-/g, '_');
    nationalId = unique('national_id').replace(/-/g, '_');
    expectStatus(
      await admin.post('/api/v1/properties/contacts', {
        name: salary,
        label: 'Salary',
        type: 'number',
      }),
      201,
    );
    await setup.fieldPermissions('contacts', salary, {
      view: [{ type: 'super_admins' }],
      edit: [{ type: 'super_admins' }],
    });
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    expectStatus(
      await admin.post('/api/v1/properties/contacts', {
        name: nationalId,
        label: 'National ID',
        type: 'string',
        sensitivity: { phi: false, highlySensitive: false, access: 'everyone' },
      }),
      201,
    );
  });

  afterAll(async () => server.close());

  /** A holder of `manage_roles` who reads contacts at `read`'s level. */
  async function roleManager(read: PrivilegeInput) {
    return setup.userWithRole({ privileges: [read], taskPrivileges: ['manage_roles'] });
  }

  /** A holder of `view_audit_log` who reads contacts at `read`'s level. */
  async function auditor(read: PrivilegeInput) {
    return setup.userWithRole({ privileges: [read], taskPrivileges: ['view_audit_log'] });
  }

  async function eventsAs(
    caller: Caller,
    filters: { action?: string; targetId?: string },
  ): Promise<(AuditEventView & { metadataRedacted: boolean })[]> {
    return expectStatus(await caller.get('/api/v1/audit-log', { ...filters, limit: 100 }), 200).body
      .results;
  }

  describe('class 5: explain reads outside the caller’s scope', () => {
    it('attack: explaining a record the caller may not read answers 404 like a missing record', async () => {
      const manager = await roleManager(READ_OWN);
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const hidden = await setup.contact();
      const explain = (recordId: string) =>
        manager.caller.post('/api/v1/access/explain', {
          userId: reader.id,
          action: 'read',
          objectType: 'contacts',
          recordId,
        });

      const foreign = await explain(hidden.id);
      const missing = await explain(UNKNOWN_ID);

      expectProblem(foreign, 404, { code: 'access.record_not_found' });
      expect(problemOf(foreign)).toEqual(problemOf(missing));
    });

    it('attack: explaining a property the caller may not read answers like an unknown property', async () => {
      const manager = await roleManager(READ_ACCOUNT);
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const contact = await setup.contact();
      const explain = (property: string) =>
        manager.caller.post('/api/v1/access/explain', {
          userId: reader.id,
          action: 'read',
          objectType: 'contacts',
          recordId: contact.id,
          property,
        });

      const fieldPermitted = await explain(salary);
      const unknown = await explain('no_such_property');

      expectProblem(fieldPermitted, 422, { code: 'access.unknown_property', field: 'property' });
      expect(problemOf(fieldPermitted)).toEqual(problemOf(unknown));
    });

    it('attack: explaining a sensitive property the caller may not see in clear answers like an unknown property', async () => {
      const secret = unique('secret').replace(/-/g, '_');
      expectStatus(
        await admin.post('/api/v1/properties/contacts', {
          name: secret,
          label: 'Secret',
          type: 'string',
          sensitivity: { access: 'super_admins' },
        }),
        201,
      );
      const manager = await roleManager(READ_ACCOUNT);
      // The manager is on its view list, but only super admins see its values in clear.
      await setup.fieldPermissions('contacts', secret, {
        view: [{ type: 'user', id: manager.id }],
      });
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const body = { userId: reader.id, action: 'read', objectType: 'contacts' };

      const sensitive = await manager.caller.post('/api/v1/access/explain', {
        ...body,
        property: secret,
      });
      const unknown = await manager.caller.post('/api/v1/access/explain', {
        ...body,
        property: 'no_such_property',
      });

      expectProblem(sensitive, 422, { code: 'access.unknown_property', field: 'property' });
      expect(problemOf(sensitive)).toEqual(problemOf(unknown));
    });

    it('attack: a rule of the explained user over a field hidden from the caller is not an oracle on its value', async () => {
      const manager = await roleManager(READ_ACCOUNT);
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      await setup.rule({
        roleId: reader.roleId,
        effect: 'deny',
        condition: { [salary]: { $gte: 100000 } },
      });
      const rich = await setup.contact({ [salary]: 250000 });
      const poor = await setup.contact({ [salary]: 20000 });
      const explain = (recordId: string) =>
        manager.caller.post('/api/v1/access/explain', {
          userId: reader.id,
          action: 'read',
          objectType: 'contacts',
          recordId,
        });

      const [richAnswer, poorAnswer] = [await explain(rich.id), await explain(poor.id)];

      expectProblem(richAnswer, 403, { code: 'access.explain_hidden_condition' });
      expect(richAnswer.body.property).toBe(salary);
      expect(problemOf(poorAnswer)).toEqual(problemOf(richAnswer));
    });

    it('attack: an access level of the explained user is not an oracle on an owner the caller may not read', async () => {
      const manager = await roleManager(READ_ACCOUNT);
      const reader = await setup.userWithRole({ privileges: [READ_OWN] });
      const readersOwn = await setup.contact({ owner_id: reader.id });
      await setup.fieldPermissions('contacts', 'owner_id', { view: [{ type: 'super_admins' }] });
      try {
        const response = await manager.caller.post('/api/v1/access/explain', {
          userId: reader.id,
          action: 'read',
          objectType: 'contacts',
          recordId: readersOwn.id,
        });

        expectProblem(response, 403, { code: 'access.explain_hidden_condition' });
      } finally {
        await setup.fieldPermissions('contacts', 'owner_id', {});
      }
    });

    it('still explains a record through rules over fields the caller may read', async () => {
      const manager = await roleManager(READ_ACCOUNT);
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      const ruleId = await setup.rule({
        roleId: reader.roleId,
        effect: 'deny',
        condition: { country: 'DE' },
      });
      const german = await setup.contact({ country: 'DE' });

      const response = await manager.caller.post('/api/v1/access/explain', {
        userId: reader.id,
        action: 'read',
        objectType: 'contacts',
        recordId: german.id,
      });

      expect(expectStatus(response, 200).body).toMatchObject({
        allowed: false,
        decidedBy: { kind: 'deny_rule', ruleId },
      });
    });

    it('preview of a role change names holders and privilege levels only, never records or properties', async () => {
      const manager = await roleManager(READ_OWN);
      const holder = await setup.userWithRole({ privileges: [READ_OWN] });
      await setup.rule({
        roleId: holder.roleId,
        effect: 'deny',
        condition: { [salary]: { $gte: 1 } },
      });
      const contact = await setup.contact({ [salary]: 5 });

      const response = await manager.caller.post('/api/v1/access/preview', {
        roleId: holder.roleId,
        privileges: [READ_ACCOUNT],
      });

      const text = JSON.stringify(expectStatus(response, 200).body);
      expect(text).not.toContain(contact.id);
      expect(text).not.toContain(salary);
      expect(response.body).toEqual({
        users: [
          {
            userId: holder.id,
            gains: { privileges: ['read contacts at account'], taskPrivileges: [] },
            loses: { privileges: ['read contacts at own'], taskPrivileges: [] },
          },
        ],
      });
    });
  });

  describe('class 11: the audit log names hidden properties', () => {
    it('attack: the created event of a record outside the reader’s scope names none of its properties', async () => {
      const reader = await auditor(READ_OWN);
      const outside = await setup.contact({ phone: '+49 30 1234567', country: 'DE' });

      const [created] = await eventsAs(reader.caller, {
        action: 'record.created',
        targetId: outside.id,
      });

      expect(created).toMatchObject({ metadata: { properties: [] }, metadataRedacted: true });
    });

    it('attack: the updated event of a record outside the reader’s scope names none of its changes', async () => {
      const reader = await auditor(READ_OWN);
      const outside = await setup.contact();
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${outside.id}`, {
          properties: { phone: '+49 30 7654321' },
        }),
        200,
      );

      const [updated] = await eventsAs(reader.caller, {
        action: 'record.updated',
        targetId: outside.id,
      });

      expect(updated).toMatchObject({ metadata: { changed: [] }, metadataRedacted: true });
    });

    it('attack: events of a readable record do not name a property the reader may not read', async () => {
      const reader = await auditor(READ_ACCOUNT);
      const contact = await setup.contact({ [salary]: 90000 });
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { [salary]: 95000, phone: '+49 30 1111111' },
        }),
        200,
      );

      const [updated, created] = await eventsAs(reader.caller, { targetId: contact.id });

      expect(updated).toMatchObject({ action: 'record.updated', metadataRedacted: true });
      expect(updated?.metadata.changed).toEqual(['phone']);
      expect(created?.action).toBe('record.created');
      expect(created?.metadata.properties).not.toContain(salary);
      expect(created?.metadata.properties).toContain('email');
    });

    it('attack: names of sensitive properties are shown to super admins in person only', async () => {
      const reader = await auditor(READ_ACCOUNT);
      const contact = await setup.contact({ [nationalId]: 'ZX-1' });
      expectStatus(await reader.caller.get(`/api/v1/objects/contacts/${contact.id}`), 200);

      const seenByReader = await eventsAs(reader.caller, { targetId: contact.id });
      const seenByAdmin = await eventsAs(admin, { targetId: contact.id });

      expect(JSON.stringify(seenByReader.map((event) => event.metadata))).not.toContain(nationalId);
      expect(seenByReader.map((event) => event.action)).toEqual(
        expect.arrayContaining(['record.created', 'sensitive_data.viewed']),
      );
      expect(JSON.stringify(seenByAdmin.map((event) => event.metadata))).toContain(nationalId);
    });

    it('attack: a segment’s audit events do not quote its filter on a property the reader may not read', async () => {
      const reader = await auditor(READ_ACCOUNT);
      const segment = expectStatus(
        await admin.post('/api/v1/segments', {
          name: unique('well paid'),
          objectType: 'contacts',
          filterGroups: [
            {
              filters: [
                { propertyName: salary, operator: 'gte', value: 123456 },
                { propertyName: 'country', operator: 'eq', value: 'DE' },
              ],
            },
          ],
        }),
        201,
      ).body as { id: string };
      expectStatus(
        await admin.patch(`/api/v1/segments/${segment.id}`, { name: unique('renamed') }),
        200,
      );

      const events = await eventsAs(reader.caller, { targetId: segment.id });

      expect(events.map((event) => event.action)).toEqual(['segment.updated', 'segment.created']);
      const text = JSON.stringify(events.map((event) => event.metadata));
      expect(text).not.toContain(salary);
      expect(text).not.toContain('123456');
      expect(text).toContain('country');
    });

    it('shows super admins every event as stored, and the chain still verifies', async () => {
      const contact = await setup.contact({ [salary]: 1 });

      const [created] = await eventsAs(admin, { targetId: contact.id });
      const verification = expectStatus(await admin.get('/api/v1/audit-log/verify'), 200).body;

      expect(created).toMatchObject({ metadataRedacted: false });
      expect(created?.metadata.properties).toContain(salary);
      expect(verification).toMatchObject({ valid: true });
    });

    it('is refused without view_audit_log, even to a reader of every record', async () => {
      const reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });

      const [list, verify] = [
        await reader.caller.get('/api/v1/audit-log'),
        await reader.caller.get('/api/v1/audit-log/verify'),
      ];

      expectProblem(list, 403, { code: 'core.privilege_required' });
      expectProblem(verify, 403, { code: 'core.privilege_required' });
    });
  });
});
