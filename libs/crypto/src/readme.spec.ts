import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { RequestContext, systemActor } from '@custos/core';
import { redactedFieldsOf } from '@custos/crypto';
import { Patient, PatientService, patientsModule } from '../examples/encrypted-entity';
import { protect, reveal } from '../examples/usage';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README examples of @custos/crypto', () => {
  it.each(['usage.ts', 'encrypted-entity.ts'])('shows examples/%s verbatim', (file) => {
    const example = readFileSync(join(__dirname, '..', 'examples', file), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('protects a value so that only its own place reveals it', () => {
    const place = { accountId: 'a1', table: 'crm_contact', column: 'national_id', recordId: 'r1' };
    const { stored, token } = protect('756.1234.5678.97', place);
    expect(stored).not.toContain('756');
    expect(token).toBe(protect(' 756.1234.5678.97 ', place).token);
    expect(reveal(stored, place)).toBe('756.1234.5678.97');
    expect(() => reveal(stored, { ...place, recordId: 'r2' })).toThrow('cannot be opened');
  });

  it('encrypts the @Encrypted columns of a consumer entity on a real SQLite database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-readme-'));
    const app = await NestFactory.createApplicationContext(
      patientsModule(join(dir, 'patients.sqlite'), randomBytes(32)),
      { logger: false },
    );
    try {
      const patients = app.get(PatientService);
      const context = app.get(RequestContext);
      const bornOn = new Date('1815-12-10T00:00:00.000Z');
      const ada = Object.assign(new Patient(), {
        accountId: 'acc-1',
        name: 'Ada',
        nationalId: 'UK-1815-AL',
        bornOn,
      });
      await patients.admit(ada);
      expect(ada.nationalId).toBe('UK-1815-AL');
      const raw = await app
        .get(DataSource)
        .query<Record<string, string>[]>('SELECT * FROM patient WHERE id = ?', [ada.id]);
      expect(JSON.stringify(raw)).not.toContain('1815');
      const found = await context.runAs(systemActor('acc-1'), () =>
        patients.findByNationalId('acc-1', 'uk-1815-al'),
      );
      expect(found).toHaveLength(1);
      expect(found[0].nationalId).toBe('UK-1815-AL');
      expect(found[0].bornOn).toEqual(bornOn);
      const outsider = await patients.findByNationalId('acc-1', 'UK-1815-AL');
      expect(outsider[0].nationalId).toBeNull();
      expect(redactedFieldsOf(outsider[0])).toEqual(new Set(['nationalId', 'bornOn']));
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
