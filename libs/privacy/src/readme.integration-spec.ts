import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestContext, type Actor } from '@custos/core';
import { createTestDatabase, type TestDatabase } from '@custos/core/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  PERSONAL_DATA_REGISTRY,
  type PersonalDataRegistry,
} from './registry/personal-data-registry';
import { PrivacyRequests } from './requests/privacy-requests';
import { ShopAppModule } from '../examples/usage';

const staff: Actor = {
  kind: 'user',
  id: 'ann',
  userId: 'ann',
  accountId: 'acme',
  label: 'ann',
  superAdmin: true,
};

describe('README example of @custos/privacy', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  let database: TestDatabase;
  let module: TestingModule;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    module = await Test.createTestingModule({
      imports: [
        ShopAppModule.forRoot({
          databaseFile: database.url.slice('sqlite:'.length),
          masterSecret: randomBytes(32),
        }),
      ],
    }).compile();
    await module.init();
  });

  afterAll(async () => {
    await module?.close();
    await database?.drop();
  });

  it('registers the shop table beside the lib own, and takes a request in with its due date', async () => {
    const registry = module.get<PersonalDataRegistry>(PERSONAL_DATA_REGISTRY);
    expect(registry.sources().map((source) => source.key)).toEqual([
      'privacy.activity',
      'privacy.erasure',
      'privacy.package',
      'privacy.request',
      'privacy.restriction',
      'shop.customer',
    ]);
    const request = await module.get(RequestContext).runAs(staff, () =>
      module.get(PrivacyRequests).intake({
        type: 'erasure',
        channel: 'email',
        subjectEmail: 'ada@example.com',
        assigneeUserId: 'dpo',
      }),
    );
    expect(request).toMatchObject({ status: 'received', assigneeUserId: 'dpo', flag: null });
    expect(request.dueOn > request.receivedOn).toBe(true);
  });
});
