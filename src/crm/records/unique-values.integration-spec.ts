import { PropertySchemaService, uniqueKeyOf } from '../properties';
import { testDatabaseKinds } from '@custos/core/testing';
import { startCrmTestApp, type CrmTestApp } from '../testing';
import { RecordArchive } from './record-archive.service';
import { RecordWriter } from './record-writer.service';
import { UniqueValues } from './unique-values';

describe.each(testDatabaseKinds())(`${UniqueValues.name} on %s`, (kind) => {
  let crm: CrmTestApp;
  let sut: UniqueValues;
  let writer: RecordWriter;

  const holder = (email: string): Promise<string | null> =>
    crm.as(crm.admin, async () =>
      sut.recordIdByValue(
        await crm.app.get(PropertySchemaService).schema('contacts'),
        crm.accountId,
        'email',
        uniqueKeyOf(email),
      ),
    );
  const create = (email: string): Promise<string> =>
    crm.as(crm.admin, async () => (await writer.create('contacts', { email })).value.id);

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    sut = crm.app.get(UniqueValues);
    writer = crm.app.get(RecordWriter);
  });

  afterAll(async () => {
    await crm.close();
  });

  it('finds the record holding a value, whatever its case', async () => {
    const id = await create('Held@unique.test');
    expect(await holder('held@UNIQUE.test')).toBe(id);
    expect(await holder('nobody@unique.test')).toBeNull();
  });

  it('releases a value the record no longer holds, so another record may take it', async () => {
    const id = await create('moving@unique.test');
    await crm.as(crm.admin, () => writer.update('contacts', id, { email: 'moved@unique.test' }));
    expect(await holder('moving@unique.test')).toBeNull();
    expect(await holder('moved@unique.test')).toBe(id);
    const taker = await create('moving@unique.test');
    expect(await holder('moving@unique.test')).toBe(taker);
  });

  it('refuses one value twice in one write, naming the second item', async () => {
    await expect(
      crm.as(crm.admin, () =>
        writer.batchCreate('contacts', [
          { email: 'twice@unique.test' },
          { email: 'TWICE@unique.test' },
        ]),
      ),
    ).rejects.toMatchObject({
      code: 'crm.unique_value_taken',
      options: { errors: [{ field: 'inputs[1].properties.email' }] },
    });
    expect(await holder('twice@unique.test')).toBeNull();
  });

  it('lets one of concurrent writes of a value win; the others are 409', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => create('raced@unique.test')),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of outcomes.filter((o) => o.status === 'rejected')) {
      expect(lost.reason).toMatchObject({ kind: 'conflict', code: 'crm.unique_value_taken' });
    }
    expect(await holder('raced@unique.test')).toBe(won[0].value);
  });

  it('frees the values of a purged record', async () => {
    const id = await create('purged@unique.test');
    await crm.as(crm.admin, () => crm.app.get(RecordArchive).remove('contacts', id, true));
    expect(await holder('purged@unique.test')).toBeNull();
  });
});
