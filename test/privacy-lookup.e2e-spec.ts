import { testDatabaseKinds } from '@custos/core/testing';
import {
  PERSONAL_DATA_REGISTRY,
  SubjectLookup,
  type LookupItem,
  type PersonalDataRegistry,
  type PersonalDataSource,
} from '@custos/privacy';
import { RequestContext, systemActor } from '@custos/core';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { createProperty, createRecord, uniqueName } from './crm/crm-support';
import { auditEvents, expectProblem, walkPages } from './support/api';
import { queryPlan } from './support/query-plans';
import { contactsExport, requestExport, waitForExport } from './support/exports';
import { plantRow, type PlantedSubject } from './support/privacy-subjects';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Issue 18 item 3: the subject lookup finds a subject planted in every registered place — sealed
 * values through their blind index, files — and nothing of another subject with a similar email;
 * under the operator's rights.
 */

/** Registered sources the lookup cannot probe, and why (a new one fails the test until listed). */
const NOT_LOOKED_UP: Record<string, string> = {
  'core.mail_outbox': 'recipients are a list in one column: mail is transient, sent then purged',
  'privacy.activity': "the DPO's contact is free text in the register, not a subject's record",
  'privacy.erasure':
    "a running erasure's own list of the subject's values, dropped when it finishes; found through its request",
};

/** Planted through the API: sealing, blind-index tokens, history and files are the CRM's doing. */
const PLANTED_BY_API = new Set([
  'crm.contact',
  'crm.company',
  'crm.deal',
  'crm.property_history',
  'crm.blind_index',
  'crm.unique_value',
  'crm.attachment',
  // Noted by a real export of the subject's contact.
  'exports.carried',
]);

interface Planted {
  subject: PlantedSubject;
  sealedContactId: string;
  companyId: string;
  dealId: string;
  /** Every row id planted for the subject, by source. */
  rows: Map<string, string[]>;
}

describe.each(testDatabaseKinds())('Subject lookup over HTTP on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let setup: Setup;
  let sources: PersonalDataSource[];
  let privateEmail: string;
  let ada: Planted;
  let other: Planted;
  /** Holds manage_privacy_requests only: no right to read contacts. */
  let handler: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Holds manage_privacy_requests and reads contacts, but not sensitive values. */
  let reader: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads contacts, without manage_privacy_requests. */
  let crmUser: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Holds manage_privacy_requests and reads companies (not contacts, not sensitive values). */
  let companyReader: Awaited<ReturnType<Setup['userWithRole']>>;

  const lookup = async (caller: Caller, body: object): Promise<LookupItem[]> => {
    const { pages } = await walkPages<LookupItem>((after) =>
      caller.post('/api/v1/privacy-lookup', { ...body, limit: 100, ...(after ? { after } : {}) }),
    );
    return pages.flat();
  };

  async function plant(subject: Omit<PlantedSubject, 'contactId' | 'userId'>): Promise<Planted> {
    const contact = await createRecord(admin, 'contacts', {
      email: subject.email,
      firstname: subject.firstName,
      lastname: subject.lastName,
      phone: subject.phone,
    });
    expectStatus(
      await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
        properties: { jobtitle: 'Analyst' },
      }),
      200,
    );
    // A second record of the same person that holds the email only sealed.
    const sealed = await createRecord(admin, 'contacts', { [privateEmail]: subject.email });
    const company = await createRecord(admin, 'companies', {
      name: uniqueName('firm'),
      [`${privateEmail}_firm`]: subject.email,
    });
    const deal = await createRecord(admin, 'deals', {
      dealname: uniqueName('deal'),
      [`${privateEmail}_deal`]: subject.email,
    });
    const attachment = expectStatus(
      await admin
        .upload(`/api/v1/objects/contacts/${contact.id}/attachments`)
        .attach('file', Buffer.from(`notes on ${subject.email}`), {
          filename: 'notes.txt',
          contentType: 'text/plain',
        }),
      201,
    ).body as { id: string };
    // An export that carried the contact: the recipients' log names it.
    const exported = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [
          { filters: [{ propertyName: 'email', operator: 'eq', value: subject.email }] },
        ],
      }),
    );
    expect(await waitForExport(admin, exported.id)).toMatchObject({ state: 'done', rowsDone: 1 });
    const planted: PlantedSubject = {
      ...subject,
      contactId: contact.id,
      userId: crypto.randomUUID(),
    };
    const rows = new Map<string, string[]>([
      ['crm.contact', [contact.id, sealed.id]],
      ['crm.company', [company.id]],
      ['crm.deal', [deal.id]],
      ['crm.attachment', [attachment.id]],
      ['exports.carried', [`${contact.id}/${exported.id}`]],
    ]);
    // identity_user first: memberships and the like name the user.
    const generic = sources
      .filter((source) => !PLANTED_BY_API.has(source.key))
      .sort((a, b) => Number(b.key === 'identity.user') - Number(a.key === 'identity.user'));
    for (const source of generic) {
      const rowId = await plantRow(server.dataSource, kind, server.accountId, source, planted);
      rows.set(source.key, [...(rows.get(source.key) ?? []), rowId]);
    }
    return {
      subject: planted,
      sealedContactId: sealed.id,
      companyId: company.id,
      dealId: deal.id,
      rows,
    };
  }

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_JOB_POLL_MS: '50' } });
    const token = await server.login();
    admin = callerOf(server, token);
    setup = new Setup(server, token);
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    privateEmail = uniqueName('private_email');
    await createProperty(admin, 'contacts', {
      name: privateEmail,
      label: 'Private email',
      type: 'string',
      // Only super admins in person read it: the reader below may not.
      sensitivity: { highlySensitive: false, access: 'super_admins' },
      dataCategory: 'user.contact.email',
    });
    for (const objectType of ['companies', 'deals']) {
      await createProperty(admin, objectType, {
        name: `${privateEmail}_${objectType === 'companies' ? 'firm' : 'deal'}`,
        label: 'Contact person email',
        type: 'string',
        // Only super admins in person read it: an operator who reads companies may not.
        sensitivity: { highlySensitive: false, access: 'super_admins' },
        // Categorised when defined: registered, looked up and shown per property.
        dataCategory: 'user.contact.email',
      });
    }
    const registry = server.app.get<PersonalDataRegistry>(PERSONAL_DATA_REGISTRY);
    sources = await registry.sourcesOf(server.accountId);
    ada = await plant({
      email: 'ada.lovelace@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+44 20 7946 0001',
    });
    // Similar email (a prefix of it), same first name, another last name and phone.
    other = await plant({
      email: 'ada.lovelace@example.co',
      firstName: 'Ada',
      lastName: 'King',
      phone: '+44 20 7946 0002',
    });
    handler = await setup.userWithRole({ taskPrivileges: ['manage_privacy_requests'] });
    reader = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
      taskPrivileges: ['manage_privacy_requests'],
    });
    crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
    });
    companyReader = await setup.userWithRole({
      privileges: [{ objectType: 'companies', action: 'read', level: 'account' }],
      taskPrivileges: ['manage_privacy_requests'],
    });
  });

  afterAll(() => server?.close());

  const identifiersOf = (planted: Planted) => ({
    email: planted.subject.email,
    phone: planted.subject.phone,
    name: `${planted.subject.firstName} ${planted.subject.lastName}`,
  });

  it('finds the subject in every registered place, and nothing of a subject with a similar email', async () => {
    const items = await lookup(admin, identifiersOf(ada));
    const found = new Set(items.map((item) => item.source));
    const expected = sources.map((s) => s.key).filter((key) => !(key in NOT_LOOKED_UP));
    expect([...expected].filter((key) => !found.has(key))).toEqual([]);
    // Every row planted for the subject is found.
    for (const [source, rowIds] of ada.rows) {
      if (source in NOT_LOOKED_UP) {
        continue;
      }
      const rows = new Set(items.filter((i) => i.source === source).map((i) => i.rowId));
      expect({ source, missing: rowIds.filter((id) => !rows.has(id)) }).toEqual({
        source,
        missing: [],
      });
    }
    // Nothing of the other subject: none of its rows, no row naming its records or user.
    const otherIds = [
      other.subject.contactId,
      other.subject.userId,
      other.sealedContactId,
      other.companyId,
      other.dealId,
      ...[...other.rows.values()].flat(),
    ];
    expect(items.filter((item) => otherIds.some((id) => item.rowId.includes(id)))).toEqual([]);
    expect(JSON.stringify(items)).not.toContain(`${other.subject.email}"`);
  });

  it('finds the exports that carried the subject: who asked, when, which properties, the digest', async () => {
    const items = await lookup(admin, { email: ada.subject.email });
    const carried = items.filter((i) => i.source === 'exports.carried');
    expect(carried.map((i) => i.rowId)).toEqual(ada.rows.get('exports.carried'));
    const [, exportId] = carried[0].rowId.split('/');
    const view = expectStatus(await admin.get(`/api/v1/exports/${exportId}`), 200).body as {
      requester: { label: string };
      sha256: string;
    };
    expect(carried[0]).toMatchObject({
      bySubject: true,
      details: {
        exportId,
        requester: { kind: 'user', label: view.requester.label },
        state: 'done',
        source: 'records',
        objectType: 'contacts',
        properties: ['email'],
        sha256: view.sha256,
      },
    });
    expect(carried[0].fields).toEqual([
      expect.objectContaining({ field: 'record_id', held: true, value: ada.subject.contactId }),
    ]);
  });

  it('finds sealed values through their blind index, and files', async () => {
    const items = await lookup(admin, { email: ada.subject.email });
    const sealedContact = items.find(
      (i) => i.source === 'crm.contact' && i.rowId === ada.sealedContactId,
    );
    expect(sealedContact?.fields.find((f) => f.field === `custom.${privateEmail}`)).toMatchObject({
      matched: true,
      held: true,
      sealed: true,
    });
    for (const [source, id, suffix] of [
      ['crm.company', ada.companyId, 'firm'],
      ['crm.deal', ada.dealId, 'deal'],
    ]) {
      const item = items.find((i) => i.source === source && i.rowId === id);
      expect(item?.fields.find((f) => f.field === 'custom')).toMatchObject({
        matched: true,
        sealed: true,
      });
      // Categorised when defined: its own field, opened by the CRM's read for the admin.
      expect(item?.fields.find((f) => f.field === `custom.${privateEmail}_${suffix}`)).toEqual({
        field: `custom.${privateEmail}_${suffix}`,
        category: 'user.contact.email',
        matched: true,
        held: true,
        sealed: true,
        file: false,
        value: ada.subject.email,
      });
    }
    // The sealed contact's own history and tokens are found through its id.
    expect(
      items.some((i) => i.source === 'crm.blind_index' && i.rowId.endsWith(ada.sealedContactId)),
    ).toBe(true);
    const attachment = items.find((i) => i.source === 'crm.attachment');
    expect(attachment?.fields.find((f) => f.field === 'storage_key')).toMatchObject({
      file: true,
      held: true,
    });
    // Never the ciphertext: values come from the CRM's read, opened for the admin.
    expect(sealedContact?.fields.find((f) => f.field === `custom.${privateEmail}`)?.value).toBe(
      ada.subject.email,
    );
  });

  it("finds a subject by a contact's id, and by phone or name alone", async () => {
    const byId = await lookup(admin, { id: ada.subject.contactId });
    expect(byId.filter((i) => i.source === 'crm.property_history').length).toBeGreaterThan(0);
    expect(byId.some((i) => i.source === 'consent.event')).toBe(true);
    const byPhone = await lookup(admin, { phone: ada.subject.phone });
    expect(byPhone.map((i) => i.rowId)).toContain(ada.subject.contactId);
    // A number kept in its normal form is found however it is typed.
    const normal = await createRecord(admin, 'contacts', { phone: '+442079460093' });
    expect((await lookup(admin, { phone: '0044 (20) 7946-0093' })).map((i) => i.rowId)).toContain(
      normal.id,
    );
    const byName = await lookup(admin, { name: 'Ada Lovelace' });
    expect(byName.map((i) => i.rowId)).toContain(ada.subject.contactId);
    expect(byName.map((i) => i.rowId)).not.toContain(other.subject.contactId);
  });

  it('finds phones stored with punctuation by any spelling, through the phone-key index', async () => {
    const international = await createRecord(admin, 'contacts', { phone: '+33 (6) 12-34-56-78' });
    const national = await createRecord(admin, 'contacts', { phone: '06 12 34 56 78' });
    const request = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'phone',
        subjectEmail: 'phone.only@example.com',
        subjectPhone: '+33 6.12.34.56.78',
      }),
      201,
    ).body as { id: string };
    for (const spelling of ['+33612345678', '0033 6 12 34 56 78', '+33 6-12-34-56-78']) {
      const rows = (await lookup(admin, { phone: spelling })).map((i) => i.rowId);
      expect(rows).toEqual(expect.arrayContaining([international.id, request.id]));
      expect(rows).not.toContain(national.id);
    }
    for (const spelling of ['0612345678', '06.12.34.56.78', '(06) 12 34 56 78']) {
      expect((await lookup(admin, { phone: spelling })).map((i) => i.rowId)).toContain(national.id);
    }
    // The generated statement probes the keys through their indexes (PostgreSQL with seq scans off).
    const statement = await server.app
      .get(RequestContext)
      .runAs(systemActor(server.accountId), () =>
        server.app.get(SubjectLookup).statement({ phone: '0033 6 12 34 56 78' }),
      );
    const order: unknown[] = [];
    const sql =
      kind === 'sqlite'
        ? statement.sql.replace(/\$(\d+)/g, (_match, index: string) => {
            order.push(statement.parameters[Number(index) - 1]);
            return '?';
          })
        : statement.sql;
    const plan = await queryPlan(
      server,
      kind,
      sql,
      kind === 'sqlite' ? order : statement.parameters,
    );
    expect(plan).toContain('crm_contact_phone_key_idx');
    expect(plan).toContain('privacy_request_subject_phone_key_idx');
  });

  it('pages in keyset order: small pages give the same items as one page', async () => {
    // Each read of the contact's sensitive value is audited against it: those events are left out.
    const key = (items: LookupItem[]) =>
      items.filter((i) => i.source !== 'audit.event_target').map((i) => `${i.source}|${i.rowId}`);
    const all = await lookup(admin, { email: ada.subject.email });
    const { pages } = await walkPages<LookupItem>((after) =>
      admin.post('/api/v1/privacy-lookup', {
        email: ada.subject.email,
        limit: 3,
        ...(after ? { after } : {}),
      }),
    );
    expect(key(pages.flat())).toEqual(key(all));
  });

  it("looks up a request's subject, audited without the identifiers", async () => {
    const request = expectStatus(
      await handler.caller.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: ada.subject.email,
      }),
      201,
    ).body as { id: string };
    const response = expectStatus(
      await handler.caller.post(`/api/v1/privacy-requests/${request.id}/lookup`, { limit: 100 }),
      200,
    );
    const items = response.body.results as LookupItem[];
    expect(items.some((i) => i.source === 'privacy.request' && i.rowId === request.id)).toBe(true);
    expect(items.some((i) => i.source === 'crm.contact' && i.rowId === ada.subject.contactId)).toBe(
      true,
    );
    const token = await server.login();
    const events = await auditEvents(server, token, {
      action: 'privacy.subject_looked_up',
      targetId: request.id,
    });
    expect(events).toHaveLength(1);
    expect(events[0].metadata).toMatchObject({ identifierKinds: ['email'] });
    expect(JSON.stringify(events)).not.toContain('lovelace');
  });

  it('answers bad input with problem details naming the field', async () => {
    expectProblem(await admin.post('/api/v1/privacy-lookup', {}), 422, { field: 'email' });
    expectProblem(await admin.post('/api/v1/privacy-lookup', { email: ' ' }), 422, {
      field: 'email',
    });
    expectProblem(
      await admin.post('/api/v1/privacy-lookup', { email: ada.subject.email, after: 'forged' }),
      422,
      { field: 'after' },
    );
  });

  it('attack: a user without manage_privacy_requests gets 403 on both routes', async () => {
    expectProblem(
      await crmUser.caller.post('/api/v1/privacy-lookup', { email: ada.subject.email }),
      403,
    );
    const request = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: ada.subject.email,
      }),
      201,
    ).body as { id: string };
    expectProblem(
      await crmUser.caller.post(`/api/v1/privacy-requests/${request.id}/lookup`, {}),
      403,
    );
  });

  it('attack: values are shown only as the operator may read them', async () => {
    const contactOf = (items: LookupItem[], id: string) =>
      items.find((i) => i.source === 'crm.contact' && i.rowId === id)!;
    // Without the right to read contacts: found, but every value withheld.
    const blind = contactOf(
      await lookup(handler.caller, { email: ada.subject.email }),
      ada.subject.contactId,
    );
    expect(blind.fields.filter((f) => f.held).every((f) => f.withheld === true)).toBe(true);
    expect(JSON.stringify(blind)).not.toContain(ada.subject.email);
    // Reading contacts, not sensitive values: the email shows, the sealed value does not.
    const items = await lookup(reader.caller, { email: ada.subject.email });
    expect(
      contactOf(items, ada.subject.contactId).fields.find((f) => f.field === 'email'),
    ).toMatchObject({ value: ada.subject.email });
    const sealed = contactOf(items, ada.sealedContactId).fields.find(
      (f) => f.field === `custom.${privateEmail}`,
    );
    expect(sealed).toMatchObject({ matched: true, withheld: true });
    expect(sealed?.value).toBeUndefined();
  });

  it('attack: companies and deals found for the subject show only what the operator may read', async () => {
    const recordOf = (items: LookupItem[], source: string, id: string) =>
      items.find((i) => i.source === source && i.rowId === id)!;
    const records = [
      ['crm.company', ada.companyId],
      ['crm.deal', ada.dealId],
    ] as const;
    // Reading neither companies nor deals: found (by the sealed value's token), nothing shown.
    for (const operator of [handler, reader]) {
      const items = await lookup(operator.caller, { email: ada.subject.email });
      for (const [source, id] of records) {
        const record = recordOf(items, source, id);
        expect(record.fields.filter((f) => f.held).every((f) => f.withheld === true)).toBe(true);
        expect(JSON.stringify(record)).not.toContain(ada.subject.email);
      }
    }
    // Reading companies but not sensitive values: the sealed value is withheld; deals stay
    // withheld as a whole.
    const items = await lookup(companyReader.caller, { email: ada.subject.email });
    const company = recordOf(items, 'crm.company', ada.companyId);
    expect(company.fields.find((f) => f.field === `custom.${privateEmail}_firm`)).toMatchObject({
      matched: true,
      withheld: true,
    });
    expect(JSON.stringify(company)).not.toContain(ada.subject.email);
    const deal = recordOf(items, 'crm.deal', ada.dealId);
    expect(deal.fields.filter((f) => f.held).every((f) => f.withheld === true)).toBe(true);
    expect(JSON.stringify(deal)).not.toContain(ada.subject.email);
  });

  it('runs the lookup as a UNION ALL of probes, never an OR across columns', async () => {
    const lookupService = server.app.get(SubjectLookup);
    const context = server.app.get(RequestContext);
    const statement = await context.runAs(systemActor(server.accountId), () =>
      lookupService.statement(identifiersOf(ada)),
    );
    expect(statement.sql).toContain(' UNION ALL ');
    expect(statement.sql).not.toMatch(/\bOR\b/);
  });
});
