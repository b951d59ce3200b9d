import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The libs as a consumer gets them (README "Use one lib"): built, packed with `npm pack`, installed
 * from the tarballs into a fresh Nest app outside the repository, and each lib README's example
 * copied verbatim into it, compiled with tsc and run on SQLite with the libs' migrations.
 */
const REPOSITORY = join(__dirname, '..', '..');
const LIBS = [
  'core',
  'audit',
  'crypto',
  'access',
  'identity',
  'approvals',
  'exports',
  'partners',
  'consent',
  'privacy',
];

/** What the app installs besides the tarballs, at the repository's versions. */
const APP_DEPENDENCIES = [
  '@casl/ability',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/swagger',
  '@nestjs/typeorm',
  'better-sqlite3',
  'class-transformer',
  'class-validator',
  'nestjs-cls',
  'reflect-metadata',
  'rxjs',
  'typeorm',
  '@types/express',
  '@types/node',
];

/**
 * Runs each README example, printing what it did as JSON. Written by this test (the examples
 * export modules; something must start them), importing only the example and installed packages.
 */
const DRIVERS: Record<string, string> = {
  core: `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NotesAppModule } from './usage';

async function main() {
  const app = await NestFactory.create(NotesAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const missing = await fetch(url + '/notes/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e', { headers: { 'x-demo-user': 'ann' } });
  const forbidden = await fetch(url + '/notes/purge', { method: 'POST', headers: { 'x-demo-user': 'ann' } });
  const purged = await fetch(url + '/notes/purge', { method: 'POST', headers: { 'x-demo-user': 'boss' } });
  console.log(JSON.stringify({
    missing: { status: missing.status, type: missing.headers.get('content-type') },
    forbidden: ((await forbidden.json()) as { privilege: string }).privilege,
    purged: await purged.json(),
  }));
  await app.close();
}
void main();
`,
  audit: `
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { AuditService } from '@custos/audit';
import { RequestContext } from '@custos/core';
import { NotesAppModule, NotesService } from './usage';

async function main() {
  const app = await NestFactory.createApplicationContext(
    NotesAppModule.forRoot({ databaseFile: 'audit.sqlite', masterSecret: randomBytes(32) }),
    { logger: false },
  );
  const actor = { kind: 'user' as const, id: 'ann', userId: 'ann', accountId: 'acme', label: 'Ann', superAdmin: false };
  await app.get(RequestContext).runAs(actor, () => app.get(NotesService).create('hello'));
  const audit = app.get(AuditService);
  const page = await audit.query('acme');
  console.log(JSON.stringify({
    actions: page.results.map((event) => event.action),
    verified: await audit.verify('acme'),
  }));
  await app.close();
}
void main();
`,
  crypto: `
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { RequestContext, systemActor } from '@custos/core';
import { Patient, PatientService, patientsModule } from './encrypted-entity';
import { protect, reveal } from './usage';

async function main() {
  const app = await NestFactory.createApplicationContext(
    patientsModule('crypto.sqlite', randomBytes(32)),
    { logger: false },
  );
  const patients = app.get(PatientService);
  await patients.admit(Object.assign(new Patient(), { accountId: 'acme', name: 'Ada', nationalId: 'UK-1815-AL', bornOn: null }));
  const raw = await app.get(DataSource).query('SELECT national_id FROM patient');
  const found = await app.get(RequestContext).runAs(systemActor('acme'), () => patients.findByNationalId('acme', 'uk-1815-al'));
  const place = { accountId: 'acme', table: 'patient', column: 'national_id', recordId: 'r1' };
  console.log(JSON.stringify({
    storedInClear: JSON.stringify(raw).includes('1815'),
    found: found.map((patient) => patient.nationalId),
    revealed: reveal(protect('756.1234.5678.97', place).stored, place),
  }));
  await app.close();
}
void main();
`,
  access: `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Invoice, InvoicesAppModule } from './usage';

async function main() {
  const app = await NestFactory.create(InvoicesAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  await app.get(DataSource).getRepository(Invoice).insert([
    { id: 'i1', ownerId: 'ann', region: 'EMEA', amount: 100 },
    { id: 'i2', ownerId: 'eve', region: 'EMEA', amount: 200 },
  ]);
  const ids = async (user: string) =>
    ((await (await fetch(url + '/invoices', { headers: { 'x-demo-user': user } })).json()) as Invoice[]).map((invoice) => invoice.id);
  const before = await ids('ann');
  const send = (path: string, body: unknown) =>
    fetch(url + path, { method: 'POST', headers: { 'x-demo-user': 'boss', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const role = (await (await send('/api/v1/roles', {
    name: 'Sales',
    privileges: [{ objectType: 'invoices', action: 'read', level: 'team' }],
    taskPrivileges: [],
  })).json()) as { id: string };
  await send('/api/v1/roles/' + role.id + '/assignments', { principalType: 'team', principalId: 'sales' });
  console.log(JSON.stringify({ before, after: await ids('ann') }));
  await app.close();
}
void main();
`,
  identity: `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { InitialAccountService } from '@custos/identity';
import { MyAppModule } from './usage';

async function main() {
  const app = await NestFactory.create(MyAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const credentials = { email: 'owner@example.com', password: 'a long enough password' };
  await app.get(InitialAccountService).ensure(credentials);
  const login = await fetch(url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const me = (await (await fetch(url + '/api/v1/me', { headers: { authorization: 'Bearer ' + accessToken } })).json()) as {
    superAdmin: boolean;
    account: { name: string };
  };
  console.log(JSON.stringify({ login: login.status, superAdmin: me.superAdmin, account: me.account.name }));
  await app.close();
}
void main();
`,
  approvals: `
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { Approvals } from '@custos/approvals';
import { RequestContext } from '@custos/core';
import { Publication, PublicationApprovals, PublishingAppModule } from './usage';

async function main() {
  const app = await NestFactory.createApplicationContext(
    PublishingAppModule.forRoot({ databaseFile: 'approvals.sqlite', masterSecret: randomBytes(32) }),
    { logger: false },
  );
  const person = (userId: string) => ({ kind: 'user' as const, id: userId, userId, accountId: 'acme', label: userId, superAdmin: false });
  const context = app.get(RequestContext);
  const approvals = app.get(Approvals);
  const request = await context.runAs(person('ann'), () => app.get(PublicationApprovals).ask('doc-1', ['eve']));
  const own = await context
    .runAs(person('ann'), () => approvals.approve(request.id))
    .catch((error: { code: string }) => error.code);
  const approved = await context.runAs(person('ed'), () => approvals.approve(request.id));
  const publication = await app.get(DataSource).getRepository(Publication).findOneBy({ id: 'doc-1' });
  console.log(JSON.stringify({ own, state: approved.state, status: publication?.status }));
  await app.close();
}
void main();
`,
  consent: `
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { ConsentPurposes, ConsentRecorder } from '@custos/consent';
import { RequestContext } from '@custos/core';
import { NewsletterAppModule, NewsletterSender, Subscribers } from './usage';

async function main() {
  const app = await NestFactory.createApplicationContext(
    NewsletterAppModule.forRoot({ databaseFile: 'consent.sqlite', masterSecret: randomBytes(32) }),
    { logger: false },
  );
  const staff = { kind: 'user' as const, id: 'ann', userId: 'ann', accountId: 'acme', label: 'ann', superAdmin: true };
  const context = app.get(RequestContext);
  app.get(Subscribers).emails.set('c1', 'ada@example.com');
  const purpose = await context.runAs(staff, () =>
    app.get(ConsentPurposes).create({ key: 'news', name: 'News', legalBasis: 'consent', channels: ['email'], notice: 'Yes.' }),
  );
  const sender = app.get(NewsletterSender);
  const before = await sender.prepare('acme', 'c1', purpose.id, 'ada@example.com');
  await context.runAs(staff, () =>
    app.get(ConsentRecorder).record('c1', { purposeId: purpose.id, channel: 'email', status: 'granted', source: 'staff', noticeVersion: 1 }),
  );
  const ready = await sender.prepare('acme', 'c1', purpose.id, 'ada@example.com');
  const url = ready.send ? ready.headers['List-Unsubscribe'].slice(1, -1) : '';
  await app.get(ConsentRecorder).unsubscribe(new URL(url).searchParams.get('token'), {});
  const after = await sender.prepare('acme', 'c1', purpose.id, 'ada@example.com');
  console.log(JSON.stringify({
    before: before.send ? 'send' : before.reason,
    post: ready.send ? ready.headers['List-Unsubscribe-Post'] : ready.reason,
    after: after.send ? 'send' : after.reason,
  }));
  await app.close();
}
void main();
`,
  privacy: `
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { RequestContext } from '@custos/core';
import { PERSONAL_DATA_REGISTRY, PrivacyRequests, type PersonalDataRegistry } from '@custos/privacy';
import { ShopAppModule } from './usage';

async function main() {
  const app = await NestFactory.createApplicationContext(
    ShopAppModule.forRoot({ databaseFile: 'privacy.sqlite', masterSecret: randomBytes(32) }),
    { logger: false },
  );
  const staff = { kind: 'user' as const, id: 'ann', userId: 'ann', accountId: 'acme', label: 'ann', superAdmin: true };
  const sources = app.get<PersonalDataRegistry>(PERSONAL_DATA_REGISTRY).sources().map((source) => source.key);
  const request = await app.get(RequestContext).runAs(staff, () =>
    app.get(PrivacyRequests).intake({ type: 'erasure', channel: 'email', subjectEmail: 'ada@example.com', assigneeUserId: 'dpo' }),
  );
  console.log(JSON.stringify({ sources, status: request.status, assignee: request.assigneeUserId }));
  await app.close();
}
void main();
`,
  exports: `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { newId } from '@custos/core';
import { InitialAccountService } from '@custos/identity';
import { MyAppModule, Note } from './usage';

async function main() {
  const app = await NestFactory.create(MyAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const credentials = { email: 'owner@example.com', password: 'a long enough password' };
  const initial = await app.get(InitialAccountService).ensure(credentials);
  // The table your own migration (my_note) would create.
  const data = app.get(DataSource);
  await data.query('CREATE TABLE my_note (id varchar(36) PRIMARY KEY, account_id varchar(36) NOT NULL, text varchar(500) NOT NULL)');
  await data.getRepository(Note).insert([
    { id: newId(), accountId: initial!.accountId, text: 'first note' },
    { id: newId(), accountId: initial!.accountId, text: '=HYPERLINK("http://evil")' },
  ]);
  const login = await fetch(url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { authorization: 'Bearer ' + accessToken, 'content-type': 'application/json' };
  const created = await fetch(url + '/api/v1/exports', {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ source: 'notes', format: 'csv', properties: ['text'] }),
  });
  const location = created.headers.get('location')!;
  let state = '';
  for (let i = 0; i < 200 && state !== 'done'; i++) {
    state = ((await (await fetch(url + location, { headers: auth })).json()) as { state: string }).state;
    if (state !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const csv = await (await fetch(url + location + '/file', { headers: auth })).text();
  console.log(JSON.stringify({ created: created.status, state, firstNote: csv.includes('first note'), formula: /^=/m.test(csv) }));
  await app.close();
}
void main();
`,
  partners: `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { InitialAccountService } from '@custos/identity';
import { MyAppModule } from './usage';

async function main() {
  const app = await NestFactory.create(MyAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const owner = { email: 'owner@example.com', password: 'a long enough password' };
  const employee = { email: 'ada@northwind.example', password: 'another long password' };
  const customerId = (await app.get(InitialAccountService).ensure(owner))!.accountId;
  const call = async (method: string, path: string, token: string | null, body?: object) => {
    const response = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const login = async (who: object, accountId: string) =>
    (await call('POST', '/api/v1/auth/login', null, { ...who, accountId })).body.accessToken as string;
  const ownerToken = await login(owner, customerId);
  const homeId = (await call('POST', '/api/v1/accounts', ownerToken, { name: 'Northwind' })).body.id as string;
  const firmAdmin = await login(owner, homeId);
  const firm = await call('POST', '/api/v1/partner/firm', firmAdmin, { name: 'Northwind Consulting' });
  await call('POST', '/api/v1/users', firmAdmin, { ...employee, displayName: 'Ada' });
  const atHome = await login(employee, homeId);
  const me = await call('GET', '/api/v1/me', atHome);
  await call('POST', '/api/v1/partner/firm/employees', firmAdmin, { userId: me.body.user.id });
  const link = (await call('GET', '/api/v1/partner/link', atHome)).body.link as string;
  await call('PUT', '/api/v1/partner-seats/partner', ownerToken, { seats: 1 });
  const approved = await call('POST', '/api/v1/partner-links/approve', ownerToken, { link, accessDays: 90 });
  const partner = await call('GET', '/api/v1/me', await login(employee, customerId));
  console.log(JSON.stringify({ firm: firm.status, approval: approved.body.approval.state, actor: partner.body.actor.kind }));
  await app.close();
}
void main();
`,
};

/** The README's examples: each block after `<!-- example: examples/<file>.ts`, verbatim. */
function readmeExamples(lib: string): { file: string; code: string }[] {
  const readme = readFileSync(join(REPOSITORY, 'libs', lib, 'README.md'), 'utf8');
  return [
    ...readme.matchAll(/<!-- example: examples\/([\w-]+\.ts)[^\n]*-->\s*```ts\n([\s\S]*?)```/g),
  ].map(([, file, code]) => ({ file, code }));
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the libs packed with npm pack, in a fresh app', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'custos-consumer-'));
  const app = join(workspace, 'app');
  const output: Record<string, unknown> = {};

  beforeAll(() => {
    const root = JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const versions = { ...root.dependencies, ...root.devDependencies };
    run('npm', ['run', 'build:libs'], REPOSITORY);
    const packs = join(workspace, 'packs');
    mkdirSync(packs);
    run(
      'npm',
      ['pack', ...LIBS.flatMap((lib) => ['-w', `libs/${lib}`]), '--pack-destination', packs],
      REPOSITORY,
    );

    mkdirSync(join(app, 'src'), { recursive: true });
    const dependencies: Record<string, string> = Object.fromEntries(
      APP_DEPENDENCIES.map((name) => [name, versions[name]]),
    );
    for (const lib of LIBS) {
      dependencies[`@custos/${lib}`] = `file:${join(packs, `custos-${lib}-0.1.0.tgz`)}`;
    }
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2),
    );
    // Install scripts stay off: better-sqlite3 would compile again (about 100 s). Its binary for
    // this Node comes from the repository's install, which ran the same version's build.
    run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
    const binary = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(dirname(join(app, 'node_modules', binary)), { recursive: true });
    copyFileSync(join(REPOSITORY, 'node_modules', binary), join(app, 'node_modules', binary));

    for (const lib of LIBS) {
      for (const { file, code } of readmeExamples(lib)) {
        mkdirSync(join(app, 'src', lib), { recursive: true });
        writeFileSync(join(app, 'src', lib, file), code);
      }
      writeFileSync(join(app, 'src', lib, 'run.ts'), DRIVERS[lib]);
    }
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          lib: ['es2023'],
          types: ['node'],
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
          skipLibCheck: true,
          rootDir: 'src',
          outDir: 'dist',
        },
        include: ['src'],
      }),
    );
    // The repository's TypeScript compiler is a tool here; every import resolves in the app.
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
    for (const lib of LIBS) {
      const dir = join(app, 'run', lib);
      mkdirSync(dir, { recursive: true });
      // The identity example reads its secret from the environment, as a deployment would.
      const secret = { MY_APP_SECRET: randomBytes(32).toString('base64') };
      output[lib] = JSON.parse(
        run(process.execPath, [join(app, 'dist', lib, 'run.js')], dir, secret),
      );
    }
  }, 600_000);

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('installs the tarballs and nothing of the repository', () => {
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules', '@custos', 'identity', 'package.json'), 'utf8'),
    ) as { name: string; version: string };
    expect(installed).toMatchObject({ name: '@custos/identity', version: '0.1.0' });
    const lock = readFileSync(join(app, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain(REPOSITORY);
  });

  it('runs the example of @custos/core: problem details and fail-closed privileges', () => {
    expect(output.core).toEqual({
      missing: { status: 404, type: expect.stringMatching(/^application\/problem\+json/) },
      forbidden: 'manage_privacy_requests',
      purged: { purgedBy: 'boss' },
    });
  });

  it('runs the example of @custos/audit: a note and its verifiable audit event', () => {
    expect(output.audit).toEqual({
      actions: ['note.created'],
      verified: { valid: true, eventsChecked: 1, headSeq: 1 },
    });
  });

  it('runs the examples of @custos/crypto: encrypted columns searched by blind index', () => {
    expect(output.crypto).toEqual({
      storedInClear: false,
      found: ['UK-1815-AL'],
      revealed: '756.1234.5678.97',
    });
  });

  it('runs the example of @custos/access: records filtered by roles in SQL', () => {
    expect(output.access).toEqual({ before: [], after: ['i1'] });
  });

  it('runs the example of @custos/identity: the first super admin signs in', () => {
    expect(output.identity).toEqual({ login: 200, superAdmin: true, account: 'Demo' });
  });

  it('runs the example of @custos/exports: a note export downloaded by its requester, formulas neutralised', () => {
    expect(output.exports).toEqual({
      created: 202,
      state: 'done',
      firstNote: true,
      formula: false,
    });
  });

  it('runs the example of @custos/privacy: the registry lists the shop table, a request is taken in', () => {
    expect(output.privacy).toEqual({
      sources: [
        'privacy.activity',
        'privacy.erasure',
        'privacy.package',
        'privacy.request',
        'privacy.restriction',
        'shop.customer',
      ],
      status: 'received',
      assignee: 'dpo',
    });
  });

  it('runs the example of @custos/consent: headers after consent, none after the one-click unsubscribe', () => {
    expect(output.consent).toEqual({
      before: 'no_consent',
      post: 'List-Unsubscribe=One-Click',
      after: 'withdrawn',
    });
  });

  it('runs the example of @custos/partners: an access link approved, its owner signs in as partner admin', () => {
    expect(output.partners).toEqual({ firm: 201, approval: 'approved', actor: 'partner_admin' });
  });

  it('runs the example of @custos/approvals: an editor approves, not the requester', () => {
    expect(output.approvals).toEqual({
      own: 'approvals.own_request',
      state: 'approved',
      status: 'published',
    });
  });
});
