import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestContext, type Actor } from '@custos/core';
import { createTestDatabase, type TestDatabase } from '@custos/core/testing';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConsentRecorder } from './events/consent-recorder';
import { ConsentPurposes } from './purposes/consent-purposes';
import { NewsletterAppModule, NewsletterSender, Subscribers } from '../examples/usage';

const staff: Actor = {
  kind: 'user',
  id: 'ann',
  userId: 'ann',
  accountId: 'acme',
  label: 'ann',
  superAdmin: true,
};

describe('README example of @custos/consent', () => {
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
        NewsletterAppModule.forRoot({
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

  it('sends with RFC 8058 headers after consent, and no more after the one-click unsubscribe', async () => {
    const context = module.get(RequestContext);
    module.get(Subscribers).emails.set('c1', 'ada@example.com');
    const purpose = await context.runAs(staff, () =>
      module.get(ConsentPurposes).create({
        key: 'newsletter',
        name: 'Newsletter',
        legalBasis: 'consent',
        channels: ['email'],
        notice: 'Yes, send me the newsletter.',
      }),
    );
    const sender = module.get(NewsletterSender);
    await expect(sender.prepare('acme', 'c1', purpose.id, 'ada@example.com')).resolves.toEqual({
      send: false,
      reason: 'no_consent',
    });
    await context.runAs(staff, () =>
      module.get(ConsentRecorder).record('c1', {
        purposeId: purpose.id,
        channel: 'email',
        status: 'granted',
        source: 'staff',
        noticeVersion: 1,
      }),
    );
    const ready = await sender.prepare('acme', 'c1', purpose.id, 'ada@example.com');
    expect(ready).toMatchObject({
      send: true,
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      envelopeFrom: expect.stringMatching(
        /^bounces\+[0-9a-f]{16}=acme=ada=example\.com@localhost$/,
      ),
    });
    const url = ready.send ? ready.headers['List-Unsubscribe'].slice(1, -1) : '';
    await module
      .get(ConsentRecorder)
      .unsubscribe(new URL(url).searchParams.get('token'), { ip: '203.0.113.9' });
    await expect(sender.prepare('acme', 'c1', purpose.id, 'ada@example.com')).resolves.toEqual({
      send: false,
      reason: 'withdrawn',
    });
  });
});
