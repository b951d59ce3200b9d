import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RequestContext } from '@custos/core';
import { createTestDatabase, type TestDatabase } from '@custos/core/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AuditService } from './audit.service';
import { NotesAppModule, NotesService, Note } from '../examples/usage';
import { testActor } from './testing/audit-test-app';

describe('README example', () => {
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
        NotesAppModule.forRoot({
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

  it('saves a note together with a verifiable audit event', async () => {
    const actor = testActor();
    const note = await module
      .get(RequestContext)
      .runAs(actor, () => module.get(NotesService).create('hello'));
    const audit = module.get(AuditService);
    await expect(module.get(DataSource).getRepository(Note).countBy({ id: note.id })).resolves.toBe(
      1,
    );
    await expect(audit.query(actor.accountId)).resolves.toMatchObject({
      results: [
        { seq: 1, action: 'note.created', targetId: note.id, metadata: { after: { length: 5 } } },
      ],
    });
    await expect(audit.verify(actor.accountId)).resolves.toEqual({
      valid: true,
      eventsChecked: 1,
      headSeq: 1,
    });
  });
});
