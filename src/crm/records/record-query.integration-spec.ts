import { newId, systemActor, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { PropertySchemaService } from '../properties';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { CrmAccessService } from './crm-access.service';
import { RecordArchive } from './record-archive.service';
import { RecordQuery } from './record-query';
import { fromRow, recordColumns } from './record-store';
import { RecordWriter } from './record-writer.service';

describe.each(testDatabaseKinds())(`${RecordQuery.name} on %s`, (kind) => {
  let crm: CrmTestApp;
  let sut: RecordQuery;
  /** Reads every contact, creates and updates only their own. */
  let reader: Actor;
  /** Reads only their own contacts. */
  let ownOnly: Actor;
  let adminsContact: string;
  let readersContact: string;
  let archivedContact: string;
  let otherAccountsContact: string;

  const create = async (actor: Actor, firstname: string): Promise<string> =>
    crm.as(actor, async () => {
      const { records } = await crm.app
        .get(RecordWriter)
        .createMany('contacts', [{ firstname }], 'api', () => 'properties');
      return records[0].id;
    });

  /** The query's view as `actor`: the ids `scoped` finds, and `require`'s answer for one id. */
  const access = async () =>
    crm.app
      .get(CrmAccessService)
      .forSchema(await crm.app.get(PropertySchemaService).schema('contacts'));

  const scopedIds = (actor: Actor, archived: boolean | 'any' = false): Promise<string[]> =>
    crm.as(actor, async () => {
      const recordAccess = await access();
      const rows = await sut
        .scoped(recordAccess.schema, recordAccess, { archived })
        .select(recordColumns(recordAccess.schema))
        .getRawMany<Record<string, unknown>>();
      return rows.map((row) => fromRow(recordAccess.schema, row).id).sort();
    });

  const required = (
    actor: Actor,
    id: string,
    action: 'read' | 'update' | 'delete',
    archived: boolean | 'any' = false,
  ): Promise<string> =>
    crm.as(actor, async () => {
      const recordAccess = await access();
      return (await sut.require(recordAccess.schema, recordAccess, id, action, { archived })).id;
    });

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    sut = crm.app.get(RecordQuery);
    reader = await crm.member([
      { action: 'read', level: 'account' },
      { action: 'create', level: 'own' },
      { action: 'update', level: 'own' },
    ]);
    ownOnly = await crm.member([{ action: 'read', level: 'own' }]);
    adminsContact = await create(crm.admin, 'Ada');
    readersContact = await create(reader, 'Rea');
    archivedContact = await create(crm.admin, 'Archie');
    await crm.as(crm.admin, () =>
      crm.app.get(RecordArchive).remove('contacts', archivedContact, false),
    );
    otherAccountsContact = await create(systemActor(newId()), 'Other');
  });

  afterAll(async () => {
    await crm.close();
  });

  describe('scoped', () => {
    it('finds the active records of the actor’s account that their rules let them read', async () => {
      expect(await scopedIds(crm.admin)).toEqual([adminsContact, readersContact].sort());
      expect(await scopedIds(reader)).toEqual([adminsContact, readersContact].sort());
      expect(await scopedIds(ownOnly)).toEqual([]);
    });

    it('finds archived records only when asked, and never another account’s', async () => {
      expect(await scopedIds(crm.admin, true)).toEqual([archivedContact]);
      expect(await scopedIds(crm.admin, 'any')).toEqual(
        [adminsContact, readersContact, archivedContact].sort(),
      );
      expect(await scopedIds(crm.admin, 'any')).not.toContain(otherAccountsContact);
    });
  });

  describe('require', () => {
    it('returns a record the actor may read and act on', async () => {
      expect(await required(reader, readersContact, 'update')).toBe(readersContact);
      expect(await required(reader, adminsContact, 'read')).toBe(adminsContact);
    });

    it('answers a record the actor may read but not act on with 403 naming the action', async () => {
      await expect(required(reader, adminsContact, 'update')).rejects.toMatchObject({
        kind: 'forbidden',
        code: 'crm.record_forbidden',
        options: { extensions: { action: 'update' } },
      });
      await expect(required(reader, readersContact, 'delete')).rejects.toMatchObject({
        kind: 'forbidden',
        code: 'crm.record_forbidden',
      });
    });

    it('answers a record the actor may not read with 404, whatever the action', async () => {
      for (const action of ['read', 'update', 'delete'] as const) {
        await expect(required(ownOnly, adminsContact, action)).rejects.toMatchObject({
          kind: 'not_found',
          code: 'crm.record_not_found',
        });
      }
    });

    it('answers unknown ids, another account’s records and the wrong archive state alike with 404', async () => {
      for (const [id, archived] of [
        [newId(), false],
        [otherAccountsContact, 'any'],
        [archivedContact, false],
        [adminsContact, true],
      ] as const) {
        await expect(required(crm.admin, id, 'read', archived)).rejects.toMatchObject({
          kind: 'not_found',
          code: 'crm.record_not_found',
        });
      }
      expect(await required(crm.admin, archivedContact, 'read', 'any')).toBe(archivedContact);
    });

    it('names the item of a batch it refuses', async () => {
      await expect(
        crm.as(reader, async () => {
          const recordAccess = await access();
          return sut.requireAll(
            recordAccess.schema,
            recordAccess,
            [readersContact, newId()],
            'update',
            { item: (index) => `inputs[${index}]` },
          );
        }),
      ).rejects.toMatchObject({
        code: 'crm.record_not_found',
        options: { errors: [{ field: 'inputs[1].id' }] },
      });
      await expect(
        crm.as(reader, async () => {
          const recordAccess = await access();
          return sut.requireAll(
            recordAccess.schema,
            recordAccess,
            [readersContact, adminsContact],
            'update',
            { item: (index) => `inputs[${index}]` },
          );
        }),
      ).rejects.toMatchObject({
        code: 'crm.record_forbidden',
        options: { errors: [{ field: 'inputs[1]' }] },
      });
    });
  });
});
