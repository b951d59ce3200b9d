import { DataSource } from 'typeorm';
import { AuditService } from '@custos/audit';
import { newId, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { SensitiveDataService } from '../../sensitive-data';
import { PropertyHistory } from '../history';
import { PropertyDefinitionService } from '../properties';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { RecordReader } from './record-reader.service';
import { RecordWriter } from './record-writer.service';

/** A sensitive property for super admins only. */
const NATIONAL_ID = 'national_id';
const SECRET = 'AB-123-secret';

describe.each(testDatabaseKinds())(
  `${RecordWriter.name} and ${RecordReader.name} on %s`,
  (kind) => {
    let crm: CrmTestApp;
    let writer: RecordWriter;
    let reader: RecordReader;
    /** Reads and writes every contact, but not {@link NATIONAL_ID} (not a super admin). */
    let member: Actor;

    const asAdmin = <T>(work: () => Promise<T>): Promise<T> => crm.as(crm.admin, work);
    const rawRow = async (id: string): Promise<string> =>
      JSON.stringify(
        await crm.app
          .get(DataSource)
          .query(`SELECT * FROM crm_contact WHERE id = ${kind === 'postgres' ? '$1' : '?'}`, [id]),
      );

    beforeAll(async () => {
      crm = await startCrmTestApp(kind);
      writer = crm.app.get(RecordWriter);
      reader = crm.app.get(RecordReader);
      member = await crm.member(
        (['read', 'create', 'update'] as const).map((action) => ({ action, level: 'account' })),
      );
      await asAdmin(async () => {
        await crm.app.get(SensitiveDataService).enable(['government_identifiers']);
        await crm.app.get(PropertyDefinitionService).create('contacts', {
          name: NATIONAL_ID,
          label: 'National ID',
          type: 'string',
          sensitivity: { phi: false, highlySensitive: false, access: 'super_admins' },
        });
      });
    });

    afterAll(async () => {
      await crm.close();
    });

    it('creates a record owned by its creator, with its history and an audit event naming the properties', async () => {
      const created = await crm.as(member, () =>
        writer.create('contacts', { firstname: 'Ada', email: 'ada@writer.test' }),
      );
      expect(created.value).toMatchObject({
        properties: { firstname: 'Ada', email: 'ada@writer.test', owner_id: member.userId },
        redacted: [NATIONAL_ID],
        archived: false,
      });
      const history = await crm.app
        .get(DataSource)
        .manager.findBy(PropertyHistory, { recordId: created.value.id });
      expect(history.map((h) => h.propertyName).sort()).toEqual(['email', 'firstname', 'owner_id']);
      const { results } = await asAdmin(() =>
        crm.app.get(AuditService).query(crm.accountId, { targetId: created.value.id }),
      );
      expect(results[0]).toMatchObject({
        action: 'record.created',
        metadata: { properties: ['email', 'firstname'] },
      });
    });

    it('updates only what changed, and writes nothing for a write that changes nothing', async () => {
      const { value: record } = await crm.as(member, () =>
        writer.create('contacts', { firstname: 'Bob', lastname: 'Old' }),
      );
      const updated = await crm.as(member, () =>
        writer.update('contacts', record.id, { lastname: 'New', firstname: 'Bob' }),
      );
      expect(updated.value.properties).toMatchObject({ firstname: 'Bob', lastname: 'New' });
      const again = await crm.as(member, () =>
        writer.update('contacts', record.id, { lastname: 'New' }),
      );
      expect(again.value.updatedAt).toBe(updated.value.updatedAt);
      const lastnames = await crm.app
        .get(DataSource)
        .manager.findBy(PropertyHistory, { recordId: record.id, propertyName: 'lastname' });
      expect(lastnames).toHaveLength(2);
      const read = await crm.as(member, () => reader.get('contacts', record.id));
      expect(read.value.properties.lastname).toBe('New');
    });

    it('refuses a unique value another record holds with 409 naming the field, writing nothing', async () => {
      await crm.as(member, () => writer.create('contacts', { email: 'taken@writer.test' }));
      await expect(
        crm.as(member, () =>
          writer.batchCreate('contacts', [
            { email: 'free@writer.test' },
            { email: 'TAKEN@writer.test' },
          ]),
        ),
      ).rejects.toMatchObject({
        kind: 'conflict',
        code: 'crm.unique_value_taken',
        options: { errors: [{ field: 'inputs[1].properties.email' }] },
      });
      const listed = await crm.as(member, () => reader.list('contacts', { limit: 100 }));
      expect(listed.value.results.map((r) => r.properties.email)).not.toContain('free@writer.test');
    });

    it('refuses an unknown record with 404, and a write to a property the actor may not edit with 403', async () => {
      await expect(
        crm.as(member, () => writer.update('contacts', newId(), { firstname: 'X' })),
      ).rejects.toMatchObject({ kind: 'not_found', code: 'crm.record_not_found' });
      await expect(
        crm.as(member, () => writer.create('contacts', { [NATIONAL_ID]: SECRET })),
      ).rejects.toMatchObject({
        kind: 'forbidden',
        code: 'crm.field_not_editable',
        options: { errors: [{ field: `properties.${NATIONAL_ID}` }] },
      });
    });

    it('stores a sensitive value as ciphertext and shows it, as a view, only to a reader allowed to', async () => {
      const { value: created } = await asAdmin(() =>
        writer.create('contacts', { firstname: 'Sam', [NATIONAL_ID]: SECRET }),
      );
      expect(await rawRow(created.id)).not.toContain(SECRET);
      const asAllowed = await asAdmin(() => reader.get('contacts', created.id));
      expect(asAllowed.value.properties[NATIONAL_ID]).toBe(SECRET);
      expect(asAllowed.views.entries()).toEqual([
        { objectType: 'contacts', recordIds: [created.id], properties: [NATIONAL_ID] },
      ]);
      const asMember = await crm.as(member, () =>
        reader.batchRead('contacts', [created.id, newId()]),
      );
      expect(asMember.value).toHaveLength(1);
      expect(asMember.value[0].redacted).toContain(NATIONAL_ID);
      expect(JSON.stringify(asMember.value)).not.toContain(SECRET);
      expect(asMember.views.entries()).toEqual([]);
    });
  },
);
