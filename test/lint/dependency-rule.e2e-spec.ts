import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
        code: "export { RecordQuery } from '../records';\n",
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

describe('the dependency rule inside src/crm', () => {
  /** Errors of the two rules that hold the CRM's folders apart. */
  const crmErrors = (linted: LintedText) => [
    ...ruleErrors(linted, 'custos/crm-layers'),
    ...ruleErrors(linted, 'custos/feature-exports'),
  ];
  const messages = (linted: LintedText) => crmErrors(linted).map((error) => error.message);
  const wrong = {
    deepImport: {
      file: 'src/crm/records/record-values.ts',
      code: "export { normalizeValue } from '../properties/property-values';\n",
    },
    throughIndex: {
      file: 'src/crm/records/record-values.ts',
      code: "export { normalizeValue } from '../properties';\nexport { RecordsModule } from '../records/records.module';\n",
    },
    propertiesImportingRecords: {
      file: 'src/crm/properties/property-definition.service.ts',
      code: "export { CrmAccessService } from '../records';\n",
    },
    historyImportingRecords: {
      file: 'src/crm/history/property-history.service.ts',
      code: "export { RecordPurgeHooks } from '../records';\n",
    },
    recordsImportingSearch: {
      file: 'src/crm/records/records.module.ts',
      code: "export { SearchService } from '../search';\n",
    },
    peers: {
      file: 'src/crm/segments/segment.service.ts',
      code: "export { AttachmentService } from '../attachments';\n",
    },
    assembly: {
      file: 'src/crm/records/record-query.ts',
      code: "export { CrmModule } from '../crm.module';\n",
    },
    folderInNoLayer: {
      file: 'src/crm/newsletters/newsletter.service.ts',
      code: "export { RecordQuery } from '../records';\n",
    },
    importingFolderInNoLayer: {
      file: 'src/crm/records/record-query.ts',
      code: "export { Newsletter } from '../newsletters';\n",
    },
    outsideDeep: {
      file: 'src/operator/operator.service.ts',
      code: "export { RecordQuery } from '../crm/records/record-query';\n",
    },
    outsideThroughIndex: {
      file: 'src/operator/operator.service.ts',
      code: "export { RecordQuery } from '../crm/records';\nexport { CrmModule } from '../crm/crm.module';\n",
    },
    specOfLowerLayer: {
      file: 'src/crm/properties/property-definition.service.integration-spec.ts',
      code: "export { FormService } from '../forms';\n",
    },
    specDeepImport: {
      file: 'src/crm/properties/property-definition.service.integration-spec.ts',
      code: "export { FormService } from '../forms/form.service';\n",
    },
  };
  type Case = keyof typeof wrong;
  const cases = Object.keys(wrong) as Case[];
  let linted: Record<Case, LintedText>;

  beforeAll(() => {
    const results = lint(cases.map((name) => wrong[name]));
    linted = Object.fromEntries(cases.map((name, index) => [name, results[index]])) as Record<
      Case,
      LintedText
    >;
  });

  it('fails an import of a file inside another CRM folder, and passes its index and module', () => {
    expect(messages(linted.deepImport)).toEqual([
      expect.stringContaining(
        'only through its index.ts or module file, not src/crm/properties/property-values',
      ),
    ]);
    expect(crmErrors(linted.throughIndex)).toEqual([]);
  });

  it('fails the imports that made the lower layers a cycle', () => {
    expect(messages(linted.propertiesImportingRecords)).toEqual([
      expect.stringContaining('src/crm/properties may not import src/crm/records, a higher layer'),
    ]);
    expect(messages(linted.historyImportingRecords)).toEqual([
      expect.stringContaining('src/crm/history may not import src/crm/records, a higher layer'),
    ]);
    expect(messages(linted.recordsImportingSearch)).toEqual([
      expect.stringContaining('src/crm/records may not import src/crm/search, a higher layer'),
    ]);
  });

  it('fails a folder importing another of its own layer', () => {
    expect(messages(linted.peers)).toEqual([
      expect.stringContaining('folders of one layer are independent'),
    ]);
  });

  it('fails a folder importing the files that assemble the CRM', () => {
    expect(messages(linted.assembly)).toEqual([
      expect.stringContaining('src/crm/crm.module assembles'),
    ]);
  });

  it('fails a CRM folder that no layer declares, importing or imported', () => {
    expect(messages(linted.folderInNoLayer)).toEqual([
      expect.stringContaining('src/crm/newsletters is in no layer of CRM_LAYERS'),
    ]);
    expect(messages(linted.importingFolderInNoLayer)).toEqual([
      expect.stringContaining('src/crm/newsletters is in no layer of CRM_LAYERS'),
    ]);
  });

  it('fails the rest of the server importing a file inside a CRM folder, not its index', () => {
    expect(messages(linted.outsideDeep)).toEqual([
      expect.stringContaining('src/operator may import src/crm/records only through its index.ts'),
    ]);
    expect(crmErrors(linted.outsideThroughIndex)).toEqual([]);
  });

  it('lets a spec meet a higher folder, but only through its index', () => {
    expect(crmErrors(linted.specOfLowerLayer)).toEqual([]);
    expect(messages(linted.specDeepImport)).toEqual([
      expect.stringContaining('not src/crm/forms/form.service'),
    ]);
  });

  it('allows no cycle between the CRM folders: the imports it passes form no cycle', () => {
    const folders = readdirSync(join(REPOSITORY, 'src', 'crm'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const pairs = folders.flatMap((from) =>
      folders.filter((to) => to !== from).map((to) => ({ from, to })),
    );
    const results = lint(
      pairs.map(({ from, to }) => ({
        file: `src/crm/${from}/probe.ts`,
        code: `export * from '../${to}';\n`,
      })),
    );
    const allowed = new Map(folders.map((folder) => [folder, [] as string[]]));
    pairs.forEach(({ from, to }, index) => {
      if (crmErrors(results[index]).length === 0) {
        allowed.get(from)!.push(to);
      }
    });
    // Every folder is declared and the lowest imports nothing: the rule is not vacuous.
    expect(allowed.get('kernel')).toEqual([]);
    expect(allowed.get('records')).toEqual(expect.arrayContaining(['kernel', 'properties']));
    // Depth-first search for a path that comes back to a folder on it.
    const state = new Map<string, 'visiting' | 'done'>();
    const cycleFrom = (folder: string, path: string[]): string[] | undefined => {
      if (state.get(folder) === 'visiting') {
        return [...path, folder];
      }
      if (state.get(folder) === 'done') {
        return undefined;
      }
      state.set(folder, 'visiting');
      for (const next of allowed.get(folder)!) {
        const cycle = cycleFrom(next, [...path, folder]);
        if (cycle) {
          return cycle;
        }
      }
      state.set(folder, 'done');
      return undefined;
    };
    expect(folders.map((folder) => cycleFrom(folder, [])).find(Boolean)).toBeUndefined();
  });
});
