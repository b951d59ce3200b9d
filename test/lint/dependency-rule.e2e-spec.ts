import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPOSITORY = join(__dirname, '..', '..');

interface LintedText {
  file: string;
  messages: { ruleId: string | null; severity: number; message: string }[];
}

/**
 * Lints each text as if it were the given file, with the entries of the repository's ESLint
 * configuration that carry the dependency rule (and its global ignores), parsed without type
 * information: the outcome depends on those entries and the text alone, not on the state of the
 * TypeScript program. ESLint's Node API runs in a child process: the flat config is an ES module,
 * which Jest's module system does not load.
 */
function lint(texts: { file: string; code: string }[]): LintedText[] {
  const script = `
    import { ESLint } from 'eslint';
    import tseslint from 'typescript-eslint';
    const { default: config } = await import(process.env.CONFIG_URL);
    const entries = config.filter(
      (entry) => entry.plugins?.custos || (entry.ignores && Object.keys(entry).length === 1),
    );
    if (!entries.some((entry) => entry.plugins?.custos)) {
      throw new Error('eslint.config.mjs has no entry with the dependency rule');
    }
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...entries],
    });
    const results = [];
    for (const { file, code } of JSON.parse(process.env.TEXTS)) {
      const [result] = await eslint.lintText(code, { filePath: file });
      results.push({ file, messages: result.messages });
    }
    process.stdout.write(JSON.stringify(results));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPOSITORY,
    env: {
      ...process.env,
      TEXTS: JSON.stringify(texts),
      CONFIG_URL: pathToFileURL(join(REPOSITORY, 'eslint.config.mjs')).href,
    },
    encoding: 'utf8',
  });
  return JSON.parse(output) as LintedText[];
}

/** The errors of one rule; a message of no rule means ESLint could not check the text at all. */
function ruleErrors(linted: LintedText, ruleId: string): LintedText['messages'] {
  const fatal = linted.messages.filter((message) => message.ruleId === null);
  if (fatal.length > 0) {
    throw new Error(
      `ESLint did not check ${linted.file}: ${fatal.map((message) => message.message).join('; ')}`,
    );
  }
  return linted.messages.filter((message) => message.ruleId === ruleId && message.severity === 2);
}

describe('the dependency rule in lint', () => {
  let results: LintedText[];

  beforeAll(() => {
    results = lint([
      {
        file: 'libs/audit/src/index.ts',
        code: "export { AccessModule } from '@custos/access';\n",
      },
      {
        file: 'libs/core/src/index.ts',
        code: "export { AppModule } from '../../../src/app.module';\n",
      },
      {
        file: 'libs/access/src/index.ts',
        code: "export { AuditModule } from '@custos/audit';\nexport { CoreModule } from '@custos/core';\n",
      },
      {
        file: 'src/crm/records/record-query.ts',
        code: "export { CrmForm } from '../forms/form.entity';\n",
      },
      {
        file: 'src/crm/forms/form.service.ts',
        code: "export { RecordQuery } from '../records/record-query';\n",
      },
      {
        file: 'src/operator/operator.service.ts',
        code: "export { SensitiveDataService } from '../sensitive-data/sensitive-data.service';\n",
      },
      {
        file: 'src/crm/records/crm-access.service.ts',
        code: [
          "export { SensitiveDataService } from '../../sensitive-data';",
          "export { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';",
          "export { dataSourceOptions } from '../../database/index';",
          "export { AppModule } from '../../app.module';",
          "export { RecordQuery } from './record-query';",
          '',
        ].join('\n'),
      },
    ]);
  });

  it('fails a lib importing a lib to its right', () => {
    const [auditImportingAccess] = results;
    expect(ruleErrors(auditImportingAccess, 'custos/lib-dependencies')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('not @custos/access') }),
    ]);
  });

  it('fails a lib importing the server by a relative path', () => {
    const [, coreImportingServer] = results;
    expect(ruleErrors(coreImportingServer, 'custos/lib-dependencies')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('src/app.module') }),
    ]);
  });

  it('passes a lib importing the libs to its left', () => {
    const [, , accessImportingLeft] = results;
    expect(ruleErrors(accessImportingLeft, 'custos/lib-dependencies')).toEqual([]);
  });

  it('fails a lower CRM layer importing a higher feature, and passes the other way', () => {
    const [, , , recordsImportingForms, formsImportingRecords] = results;
    expect(ruleErrors(recordsImportingForms, 'custos/crm-layers')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('src/crm/forms') }),
    ]);
    expect(ruleErrors(formsImportingRecords, 'custos/crm-layers')).toEqual([]);
  });

  it('fails a server feature importing a file inside another feature', () => {
    const [, , , , , operatorImportingDeep] = results;
    expect(ruleErrors(operatorImportingDeep, 'custos/feature-exports')).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('src/sensitive-data/sensitive-data.service'),
      }),
    ]);
  });

  it("passes a feature's index and module, the app module and the feature's own files", () => {
    const [, , , , , , throughEntries] = results;
    expect(ruleErrors(throughEntries, 'custos/feature-exports')).toEqual([]);
  });
});
