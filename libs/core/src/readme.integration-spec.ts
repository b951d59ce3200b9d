import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { NotesAppModule } from '../examples/usage';

describe('README example of @custos/core', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('renders problems, refuses bad ids and enforces privileges as the README says', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [NotesAppModule] }).compile()
    )
      .createNestApplication({ logger: false })
      .init();
    try {
      const http = () => request(app.getHttpServer());
      const anonymous = await http().get('/notes/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e');
      expect(anonymous.status).toBe(401);
      const badId = await http().get('/notes/not-an-id').set('x-demo-user', 'ann');
      expect(badId.status).toBe(422);
      expect(badId.body.errors).toEqual([{ field: 'noteId', message: 'must be a UUID' }]);
      const missing = await http()
        .get('/notes/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e')
        .set('x-demo-user', 'ann');
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      const forbidden = await http().post('/notes/purge').set('x-demo-user', 'ann');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.privilege).toBe('manage_privacy_requests');
      const allowed = await http().post('/notes/purge').set('x-demo-user', 'boss');
      expect(allowed.body).toEqual({ purgedBy: 'boss' });
    } finally {
      await app.close();
    }
  });
});
