import { CustosError } from '@custos/core';
import { AuditEvent } from '@custos/audit';
import { testDatabaseKinds } from '@custos/core/testing';
import { FormService } from '../forms';
import { RecordWriter, UniqueValue } from '../records';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { PropertyDefinitionService } from './property-definition.service';
import { PropertySchemaService } from './property-schemas.service';

/** The error `work` rejects with, as `{ kind, code }`. */
async function refusal(work: Promise<unknown>): Promise<{ kind: string; code: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof CustosError) {
      return { kind: error.kind, code: error.code };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(testDatabaseKinds())(`${PropertyDefinitionService.name} on %s`, (kind) => {
  let crm: CrmTestApp;
  let definitions: PropertyDefinitionService;
  let schemas: PropertySchemaService;
  let records: RecordWriter;

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    definitions = crm.app.get(PropertyDefinitionService);
    schemas = crm.app.get(PropertySchemaService);
    records = crm.app.get(RecordWriter);
  });

  afterAll(() => crm?.close());

  const customValues = async (id: string): Promise<Record<string, unknown>> => {
    const [row] = await crm.dataSource.query<{ custom: string }[]>(
      `SELECT custom FROM crm_contact WHERE id = ${kind === 'postgres' ? '$1' : '?'}`,
      [id],
    );
    return JSON.parse(row.custom) as Record<string, unknown>;
  };

  it('creates, changes and lists a custom property; the cached schema follows each change', async () => {
    await crm.as(crm.admin, async () => {
      expect((await schemas.schema('contacts')).byName.has('shoe_size')).toBe(false);
      const created = await definitions.create('contacts', {
        name: 'shoe_size',
        label: 'Shoe size',
        type: 'number',
      });
      expect(created).toMatchObject({ name: 'shoe_size', groupName: 'custom', readOnly: false });
      expect((await schemas.schema('contacts')).byName.get('shoe_size')?.label).toBe('Shoe size');

      await definitions.update('contacts', 'shoe_size', { label: 'Shoe size (EU)' });
      expect((await definitions.get('contacts', 'shoe_size')).label).toBe('Shoe size (EU)');
      expect((await definitions.list('contacts')).map((d) => d.name)).toContain('shoe_size');
      expect(
        await refusal(
          definitions.create('contacts', { name: 'shoe_size', label: 'Again', type: 'string' }),
        ),
      ).toEqual({ kind: 'conflict', code: 'crm.duplicate_property' });
    });
    const events = await crm.dataSource
      .getRepository(AuditEvent)
      .findBy({ targetId: 'contacts.shoe_size' });
    expect(events.map((e) => e.action).sort()).toEqual(['property.created', 'property.updated']);
  });

  it('refuses to change or delete a standard property, and one that is not there', async () => {
    await crm.as(crm.admin, async () => {
      expect(await refusal(definitions.update('contacts', 'email', { label: 'Mail' }))).toEqual({
        kind: 'conflict',
        code: 'crm.standard_property',
      });
      expect(await refusal(definitions.remove('contacts', 'nothing_here'))).toEqual({
        kind: 'not_found',
        code: 'crm.property_not_found',
      });
    });
  });

  it('refuses a retype while records hold values', async () => {
    await crm.as(crm.admin, async () => {
      await definitions.create('contacts', { name: 'nickname', label: 'Nickname', type: 'string' });
      await records.createMany(
        'contacts',
        [{ lastname: 'Typed', nickname: 'ty' }],
        'api',
        () => 'inputs',
      );
      expect(await refusal(definitions.update('contacts', 'nickname', { type: 'number' }))).toEqual(
        {
          kind: 'validation',
          code: 'crm.property_has_values',
        },
      );
    });
  });

  it('keeps a property a form collects until the form lets go of it (the forms veto)', async () => {
    await crm.as(crm.admin, async () => {
      await definitions.create('contacts', { name: 'referrer', label: 'Referrer', type: 'string' });
      const form = await crm.app.get(FormService).create({
        name: 'Sign-up',
        objectType: 'contacts',
        fields: [{ property: 'email' }, { property: 'referrer' }],
      });
      expect(await refusal(definitions.remove('contacts', 'referrer'))).toEqual({
        kind: 'conflict',
        code: 'crm.property_on_form',
      });
      await crm.app.get(FormService).update(form.id, { fields: [{ property: 'email' }] });
      await definitions.remove('contacts', 'referrer');
      expect((await schemas.schema('contacts')).byName.has('referrer')).toBe(false);
    });
  });

  it('takes the values with a removed property: from every record and its unique-value reservations', async () => {
    await crm.as(crm.admin, async () => {
      await definitions.create('contacts', {
        name: 'member_no',
        label: 'Member number',
        type: 'string',
        unique: true,
      });
      const {
        records: [record],
      } = await records.createMany(
        'contacts',
        [{ lastname: 'Member', member_no: 'M-1', nickname: 'kept' }],
        'api',
        () => 'inputs',
      );
      const reservations = () =>
        crm.dataSource.getRepository(UniqueValue).countBy({ propertyName: 'member_no' });
      expect(await reservations()).toBe(1);
      expect(await customValues(record.id)).toMatchObject({ member_no: 'M-1' });

      await definitions.remove('contacts', 'member_no');

      expect(await reservations()).toBe(0);
      expect(await customValues(record.id)).toEqual({ nickname: 'kept' });
      // The name is free again, without the old values.
      await definitions.create('contacts', { name: 'member_no', label: 'Again', type: 'string' });
      await records.createMany(
        'contacts',
        [{ lastname: 'Other', member_no: 'M-1' }],
        'api',
        () => 'inputs',
      );
    });
  });
});
