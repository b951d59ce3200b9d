import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAuditEvents } from '@custos/audit/testing';
import { RequestContext, type Actor } from '@custos/core';
import { createTestDatabase, type TestDatabase } from '@custos/core/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Approvals } from './approvals.service';
import { Publication, PublicationApprovals, PublishingAppModule } from '../examples/usage';

const person = (userId: string): Actor => ({
  kind: 'user',
  id: userId,
  userId,
  accountId: 'acme',
  label: userId,
  superAdmin: false,
});

describe('README example of @custos/approvals', () => {
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
        PublishingAppModule.forRoot({
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

  it('asks for approval, an editor approves, and the publication is published in that transaction', async () => {
    const context = module.get(RequestContext);
    const request = await context.runAs(person('ann'), () =>
      module.get(PublicationApprovals).ask('doc-1', ['eve']),
    );
    const approved = await context.runAs(person('ed'), () =>
      module.get(Approvals).approve(request.id),
    );
    expect(approved).toMatchObject({ state: 'approved', decidedByUserId: 'ed' });
    const dataSource = module.get(DataSource);
    await expect(
      dataSource.getRepository(Publication).findOneBy({ id: 'doc-1' }),
    ).resolves.toMatchObject({
      status: 'published',
    });
    const actions = (await readAuditEvents(dataSource, 'acme')).map((event) => event.action);
    expect(actions).toEqual(['approval.requested', 'approval.approved']);
  });
});
