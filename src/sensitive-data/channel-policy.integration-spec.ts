import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { CoreModule, CustosError, newId, RequestContext, systemActor } from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import {
  CLOSED_CHANNELS,
  SensitiveDataChannelPolicy,
  type SensitiveDataChannel,
  type SensitivityMarked,
} from './channel-policy';
import { SensitiveDataIntegration } from './sensitive-data-integration.entity';

const SENSITIVITY = { phi: false, highlySensitive: false, access: 'everyone' };
const ENABLED = 'crm-sync';

/** Lists of properties with distinct names, some sensitive. */
const propertyLists = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), { maxLength: 12 })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.boolean().map((sensitive) => ({ name, sensitive })))),
  )
  .map((entries) =>
    entries.map(({ name, sensitive }): SensitivityMarked => ({
      name,
      sensitivity: sensitive ? SENSITIVITY : null,
    })),
  );

const ordinary = (list: SensitivityMarked[]) => list.filter((p) => p.sensitivity === null);
const sensitiveNames = (list: SensitivityMarked[]) =>
  list.filter((p) => p.sensitivity !== null).map((p) => p.name);

/** The channels whose answer does not depend on the database, and whether they take sensitive data. */
const FIXED: [SensitiveDataChannel, boolean][] = [
  ...CLOSED_CHANNELS.map((channel): [SensitiveDataChannel, boolean] => [channel, false]),
  ['export', true],
];

describe.each(testDatabaseKinds())(`${SensitiveDataChannelPolicy.name} on %s`, (kind) => {
  let database: TestDatabase;
  let module: TestingModule;
  let sut: SensitiveDataChannelPolicy;
  const accountId = newId();
  const otherAccountId = newId();
  const as = <T>(account: string, work: () => Promise<T>): Promise<T> =>
    module.get(RequestContext).runAs(systemActor(account), work);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    module = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: [SensitiveDataIntegration],
          synchronize: true,
        }),
      ],
      providers: [SensitiveDataChannelPolicy],
    }).compile();
    sut = module.get(SensitiveDataChannelPolicy);
    await module.get(DataSource).manager.insert(SensitiveDataIntegration, {
      accountId,
      name: ENABLED,
      enabledAt: new Date('2026-01-01T00:00:00.000Z'),
      enabledBy: newId(),
    });
  });

  afterAll(async () => {
    await module.close();
    await database.drop();
  });

  it.each(FIXED)(
    '%s: allowedProperties keeps sensitive ones only if allowed (%p)',
    async (channel, allowed) => {
      await fc.assert(
        fc.asyncProperty(propertyLists, async (list) => {
          const result = await as(accountId, () => sut.allowedProperties(channel, list));
          expect(result).toEqual(allowed ? list : ordinary(list));
        }),
      );
    },
  );

  it.each(FIXED)(
    '%s: assertAllowed refuses exactly when a sensitive property is sent to a closed channel',
    async (channel, allowed) => {
      await fc.assert(
        fc.asyncProperty(propertyLists, async (list) => {
          const check = as(accountId, () => sut.assertAllowed(channel, list));
          const refused = sensitiveNames(list);
          if (allowed || refused.length === 0) {
            await expect(check).resolves.toBeUndefined();
          } else {
            await expect(check).rejects.toMatchObject({
              kind: 'forbidden',
              code: 'sensitive_data.channel_forbidden',
              options: { errors: refused.map((field) => expect.objectContaining({ field })) },
            });
          }
        }),
        { numRuns: 50 },
      );
    },
  );

  it.each(['integration', 'webhook'])(
    '%s:<name> receives sensitive properties only when <name> is enabled for this account',
    async (prefix) => {
      await fc.assert(
        fc.asyncProperty(
          propertyLists,
          fc.constantFrom(ENABLED, 'other-sync', 'crm_sync'),
          fc.constantFrom(accountId, otherAccountId),
          async (list, name, account) => {
            const channel = `${prefix}:${name}` as SensitiveDataChannel;
            const allowed = name === ENABLED && account === accountId;
            const result = await as(account, () => sut.allowedProperties(channel, list));
            expect(result).toEqual(allowed ? list : ordinary(list));
            const check = as(account, () => sut.assertAllowed(channel, list));
            if (allowed || sensitiveNames(list).length === 0) {
              await expect(check).resolves.toBeUndefined();
            } else {
              await expect(check).rejects.toMatchObject({
                code: 'sensitive_data.channel_forbidden',
              });
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('takes a schema with byName and checks only the named properties', async () => {
    const schema = {
      byName: new Map<string, SensitivityMarked>([
        ['email', { name: 'email', sensitivity: null }],
        ['national_id', { name: 'national_id', sensitivity: SENSITIVITY }],
      ]),
    };
    await expect(
      as(accountId, () => sut.assertAllowed('template', schema, ['email'])),
    ).resolves.toBeUndefined();
    const refused = as(accountId, () =>
      sut.assertAllowed('template', schema, ['email', 'national_id']),
    );
    await expect(refused).rejects.toBeInstanceOf(CustosError);
    await expect(refused).rejects.toMatchObject({
      detail: expect.stringContaining('personalisation tokens'),
      options: { errors: [{ field: 'national_id' }], extensions: { channel: 'template' } },
    });
    await expect(as(accountId, () => sut.allowedProperties('ai', schema))).resolves.toEqual([
      schema.byName.get('email'),
    ]);
  });

  it('refuses a property name the definitions do not know, naming it (422)', async () => {
    await expect(
      as(accountId, () =>
        sut.assertAllowed('export', [{ name: 'email', sensitivity: null }], ['missing']),
      ),
    ).rejects.toMatchObject({
      kind: 'validation',
      code: 'sensitive_data.unknown_property',
      options: { errors: [{ field: 'missing' }] },
    });
  });

  it('tells how to allow an integration when it refuses one', async () => {
    await expect(
      as(accountId, () =>
        sut.assertAllowed('webhook:other-sync', [
          { name: 'national_id', sensitivity: SENSITIVITY },
        ]),
      ),
    ).rejects.toMatchObject({
      detail: expect.stringContaining('/api/v1/settings/sensitive-data/integrations/other-sync'),
    });
  });

  it('takes the account explicitly outside a request', async () => {
    const list = [{ name: 'national_id', sensitivity: SENSITIVITY }];
    await expect(
      sut.allowedProperties(`integration:${ENABLED}`, list, { accountId }),
    ).resolves.toEqual(list);
    await expect(
      sut.allowedProperties(`integration:${ENABLED}`, list, { accountId: otherAccountId }),
    ).resolves.toEqual([]);
  });
});
