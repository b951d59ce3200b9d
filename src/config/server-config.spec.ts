import { randomBytes } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadServerConfig } from './server-config';

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'custos-config-'));
}

const key = randomBytes(32).toString('base64');

describe(loadServerConfig.name, () => {
  it('defaults to an SQLite file in the data directory and creates a 0600 master key file', () => {
    const dataDir = freshDir();
    const config = loadServerConfig({ CUSTOS_DATA_DIR: dataDir });
    expect(config.database).toEqual({
      type: 'better-sqlite3',
      database: join(dataDir, 'custos.sqlite'),
    });
    expect(config.masterKeyCreated).toBe(true);
    const file = join(dataDir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toEqual(config.masterKey);
    const again = loadServerConfig({ CUSTOS_DATA_DIR: dataDir });
    expect(again.masterKeyCreated).toBe(false);
    expect(again.masterKey).toEqual(config.masterKey);
  });

  it('serves metrics only when CUSTOS_METRICS is on, on its own port when one is given', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).metrics).toBeUndefined();
    expect(loadServerConfig({ ...base, CUSTOS_METRICS: 'on' }).metrics).toEqual({
      host: '127.0.0.1',
    });
    expect(
      loadServerConfig({ ...base, CUSTOS_METRICS: 'on', CUSTOS_METRICS_PORT: '9464' }).metrics,
    ).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(() =>
      loadServerConfig({ ...base, CUSTOS_METRICS: 'on', CUSTOS_METRICS_PORT: 'ninety' }),
    ).toThrow('CUSTOS_METRICS_PORT');
  });

  it('reads PostgreSQL from DATABASE_URL', () => {
    const config = loadServerConfig({
      CUSTOS_DATA_DIR: freshDir(),
      CUSTOS_MASTER_KEY: key,
      DATABASE_URL: 'postgres://custos@db:5432/custos',
    });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://custos@db:5432/custos' });
  });

  it.each([
    'postgres://custos@/custos?host=/var/run/postgresql',
    'postgresql://custos:secret@/custos?host=%2Fvar%2Frun%2Fpostgresql',
    'postgres://custos@localhost/custos?host=/var/run/postgresql',
    'postgres:///custos?host=/var/run/postgresql&user=custos',
  ])('takes a Unix socket DATABASE_URL as written: %s', (url) => {
    const config = loadServerConfig({
      CUSTOS_DATA_DIR: freshDir(),
      CUSTOS_MASTER_KEY: key,
      DATABASE_URL: url,
    });
    expect(config.database).toEqual({ type: 'postgres', url });
  });

  it.each([
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'postgres://custos@/custos'],
    ['CUSTOS_MASTER_KEY', 'c2hvcnQ='],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['CUSTOS_BODY_LIMIT', 'lots'],
    ['LOG_LEVEL', 'loud'],
    ['CUSTOS_ADMIN_EMAIL', 'not-an-email'],
    ['CUSTOS_ADMIN_PASSWORD', 'short'],
    ['CUSTOS_TOKEN_TTL_SECONDS', '5'],
    ['OIDC_JWKS_URL', 'ftp://idp/jwks'],
    ['CUSTOS_OPERATOR_TOKEN', 'too-short-to-guess-safely'],
    ['CUSTOS_OPERATOR_TOKEN', `${'x'.repeat(20)} ${'y'.repeat(20)}`],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'not a url'],
    ['CUSTOS_METRICS', 'yes'],
    ['CUSTOS_METRICS_PORT', '9464'],
    ['CUSTOS_JOB_LEASE_SECONDS', '0'],
    ['CUSTOS_JOB_POLL_MS', 'fast'],
    ['CUSTOS_JOB_REDIS_PREFIX', 'a:b'],
  ])('stops with a message naming %s when it is %p', (variable, value) => {
    const env: Record<string, string> = {
      CUSTOS_DATA_DIR: freshDir(),
      CUSTOS_MASTER_KEY: key,
      [variable]: value,
    };
    if (variable === 'OIDC_JWKS_URL') {
      Object.assign(env, { OIDC_ISSUER: 'https://idp/', OIDC_AUDIENCE: 'custos' });
    }
    expect(() => loadServerConfig(env)).toThrow(ConfigError);
    expect(() => loadServerConfig(env)).toThrow(variable);
  });

  it('keeps files below the data folder unless S3_BUCKET is set, and validates every S3_* variable', () => {
    const dataDir = freshDir();
    const base = { CUSTOS_DATA_DIR: dataDir, CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).fileStore).toEqual({ kind: 'disk', directory: dataDir });
    expect(
      loadServerConfig({
        ...base,
        S3_BUCKET: 'custos-files',
        S3_ENDPOINT: 'https://minio.internal:9000',
        S3_REGION: 'eu-central-1',
        S3_ACCESS_KEY_ID: 'AKIA',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
      }).fileStore,
    ).toEqual({
      kind: 's3',
      options: {
        bucket: 'custos-files',
        endpoint: 'https://minio.internal:9000',
        region: 'eu-central-1',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
        forcePathStyle: true,
      },
    });
    expect(loadServerConfig({ ...base, S3_BUCKET: 'custos-files' }).fileStore).toEqual({
      kind: 's3',
      options: {
        bucket: 'custos-files',
        region: 'us-east-1',
        endpoint: undefined,
        credentials: undefined,
        forcePathStyle: false,
      },
    });
    for (const [variable, env] of [
      ['S3_BUCKET', { S3_ENDPOINT: 'https://s3.example' }],
      ['S3_BUCKET', { S3_BUCKET: 'Bad_Bucket' }],
      ['S3_REGION', { S3_BUCKET: 'b-1', S3_REGION: 'EU Central' }],
      ['S3_ENDPOINT', { S3_BUCKET: 'b-1', S3_ENDPOINT: 'minio:9000' }],
      ['S3_ENDPOINT', { S3_BUCKET: 'b-1', S3_ENDPOINT: 'https://key:secret@minio' }],
      ['S3_SECRET_ACCESS_KEY', { S3_BUCKET: 'b-1', S3_ACCESS_KEY_ID: 'AKIA' }],
      ['S3_ACCESS_KEY_ID', { S3_BUCKET: 'b-1', S3_SECRET_ACCESS_KEY: 'secret' }],
      ['S3_FORCE_PATH_STYLE', { S3_BUCKET: 'b-1', S3_FORCE_PATH_STYLE: 'yes' }],
    ] as const) {
      expect(() => loadServerConfig({ ...base, ...env })).toThrow(`in ${variable}:`);
    }
  });

  it('keeps mail in the outbox unless SMTP_URL is set, and validates the mail variables', () => {
    const dataDir = freshDir();
    const base = { CUSTOS_DATA_DIR: dataDir, CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).mail).toEqual({
      from: 'custos@localhost',
      smtpUrl: undefined,
      deliveryEverySeconds: 60,
      publicUrl: undefined,
    });
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const keyFile = join(dataDir, 'dkim.pem');
    writeFileSync(keyFile, pem);
    expect(
      loadServerConfig({
        ...base,
        SMTP_URL: 'smtps://user:pass@mail.example:465',
        MAIL_FROM: 'crm@example.com',
        MAIL_DKIM_DOMAIN: 'example.com',
        MAIL_DKIM_SELECTOR: 'custos',
        MAIL_DKIM_PRIVATE_KEY_FILE: keyFile,
        CUSTOS_MAIL_DELIVERY_SECONDS: '30',
        CUSTOS_PUBLIC_URL: 'https://crm.example.com/',
      }).mail,
    ).toEqual({
      from: 'crm@example.com',
      smtpUrl: 'smtps://user:pass@mail.example:465',
      deliveryEverySeconds: 30,
      publicUrl: 'https://crm.example.com',
      dkim: { domainName: 'example.com', keySelector: 'custos', privateKey: pem },
    });
    for (const [variable, env] of [
      ['SMTP_URL', { SMTP_URL: 'http://mail.example' }],
      ['MAIL_FROM', { MAIL_FROM: 'not an address' }],
      ['CUSTOS_MAIL_DELIVERY_SECONDS', { CUSTOS_MAIL_DELIVERY_SECONDS: '0' }],
      ['CUSTOS_PUBLIC_URL', { CUSTOS_PUBLIC_URL: 'crm.example.com' }],
      ['CUSTOS_PUBLIC_URL', { CUSTOS_PUBLIC_URL: 'https://crm.example.com/?next=1' }],
      ['MAIL_DKIM_PRIVATE_KEY_FILE', { MAIL_DKIM_DOMAIN: 'example.com', MAIL_DKIM_SELECTOR: 's' }],
      [
        'MAIL_DKIM_PRIVATE_KEY_FILE',
        {
          MAIL_DKIM_DOMAIN: 'example.com',
          MAIL_DKIM_SELECTOR: 's',
          MAIL_DKIM_PRIVATE_KEY_FILE: join(dataDir, 'missing.pem'),
        },
      ],
    ] as const) {
      expect(() => loadServerConfig({ ...base, ...env })).toThrow(`in ${variable}:`);
    }
    // The URL may hold a password: the message never repeats it.
    expect(() => loadServerConfig({ ...base, SMTP_URL: 'ftp://user:hunter2@mail' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('requires all three OIDC settings together and refuses symmetric algorithms', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(() => loadServerConfig({ ...base, OIDC_ISSUER: 'https://idp/' })).toThrow(
      'OIDC_AUDIENCE',
    );
    const oidc = {
      ...base,
      OIDC_ISSUER: 'https://idp/',
      OIDC_AUDIENCE: 'custos',
      OIDC_JWKS_URL: 'https://idp/jwks',
    };
    expect(() => loadServerConfig({ ...oidc, OIDC_ALGORITHMS: 'RS256,HS256' })).toThrow(
      'OIDC_ALGORITHMS',
    );
    expect(loadServerConfig(oidc).oidc).toMatchObject({
      issuer: 'https://idp/',
      algorithms: ['RS256', 'ES256', 'PS256'],
    });
  });

  it('parses body limits with units', () => {
    const config = loadServerConfig({
      CUSTOS_DATA_DIR: freshDir(),
      CUSTOS_MASTER_KEY: key,
      CUSTOS_BODY_LIMIT: '2mb',
    });
    expect(config.bodyLimitBytes).toBe(2 * 1024 * 1024);
  });

  it('keeps the operator API off unless a token is set, and keeps the token as given', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).operatorToken).toBeUndefined();
    expect(loadServerConfig({ ...base, CUSTOS_OPERATOR_TOKEN: '' }).operatorToken).toBeUndefined();
    const token = randomBytes(32).toString('base64url');
    expect(loadServerConfig({ ...base, CUSTOS_OPERATOR_TOKEN: token }).operatorToken).toBe(token);
  });
  it('uses Redis only when REDIS_URL is set', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).redisUrl).toBeUndefined();
    expect(loadServerConfig({ ...base, REDIS_URL: 'rediss://cache:6380/2' }).redisUrl).toBe(
      'rediss://cache:6380/2',
    );
  });

  it('reads the form submission throttle, with defaults, and names a bad value', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).formSubmissionThrottle).toEqual({
      maxPerIp: 10,
      windowSeconds: 60,
    });
    expect(
      loadServerConfig({
        ...base,
        CUSTOS_FORM_SUBMISSIONS_PER_IP: '3',
        CUSTOS_FORM_SUBMISSION_WINDOW_SECONDS: '600',
      }).formSubmissionThrottle,
    ).toEqual({ maxPerIp: 3, windowSeconds: 600 });
    expect(() => loadServerConfig({ ...base, CUSTOS_FORM_SUBMISSIONS_PER_IP: '0' })).toThrow(
      expect.objectContaining({ variable: 'CUSTOS_FORM_SUBMISSIONS_PER_IP' }),
    );
  });

  it('reads the SCIM rate limit, with its default, and names a bad value', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base).scimRequestsPerMinute).toBe(12_000);
    expect(
      loadServerConfig({ ...base, CUSTOS_SCIM_REQUESTS_PER_MINUTE: '600' }).scimRequestsPerMinute,
    ).toBe(600);
    expect(() => loadServerConfig({ ...base, CUSTOS_SCIM_REQUESTS_PER_MINUTE: '0' })).toThrow(
      expect.objectContaining({ variable: 'CUSTOS_SCIM_REQUESTS_PER_MINUTE' }),
    );
  });

  it('reads the opening workers, none by default, and names a bad value', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    const defaults = loadServerConfig(base).openingWorkers;
    expect(defaults.threads).toBe(0);
    expect(defaults.fromValues).toBe(500);
    expect(
      loadServerConfig({
        ...base,
        CUSTOS_OPENING_WORKERS: '2',
        CUSTOS_OPENING_WORKERS_FROM_VALUES: '1',
      }).openingWorkers,
    ).toEqual({ threads: 2, fromValues: 1 });
    for (const [variable, value] of [
      ['CUSTOS_OPENING_WORKERS', '17'],
      ['CUSTOS_OPENING_WORKERS', '-1'],
      ['CUSTOS_OPENING_WORKERS_FROM_VALUES', '0'],
    ]) {
      expect(() => loadServerConfig({ ...base, [variable]: value })).toThrow(
        expect.objectContaining({ variable }),
      );
    }
  });

  it('keeps audit checkpoints below the data directory unless told otherwise', () => {
    const dataDir = freshDir();
    const base = { CUSTOS_DATA_DIR: dataDir, CUSTOS_MASTER_KEY: key };
    expect(loadServerConfig(base)).toMatchObject({
      auditWitnessFile: join(dataDir, 'audit-checkpoints.jsonl'),
      auditCheckpointSeconds: 60,
      sealedValuesVerifySeconds: 86_400,
      jobs: { leaseSeconds: 30, pollMs: 1000, redisPrefix: 'custos' },
    });
    const shared = join(freshDir(), 'witness.jsonl');
    expect(loadServerConfig({ ...base, CUSTOS_AUDIT_WITNESS_FILE: shared }).auditWitnessFile).toBe(
      shared,
    );
  });

  it('uses the witness webhook only when CUSTOS_AUDIT_WITNESS_URL is set, with its secret', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    const secret = 'w'.repeat(32);
    expect(loadServerConfig(base).auditWitnessWebhook).toBeUndefined();
    expect(
      loadServerConfig({ ...base, CUSTOS_AUDIT_WITNESS_URL: '', CUSTOS_AUDIT_WITNESS_SECRET: '' })
        .auditWitnessWebhook,
    ).toBeUndefined();
    for (const url of [
      'https://witness.example/custos',
      'http://127.0.0.1:8080/witness',
      'http://localhost/witness',
    ]) {
      expect(
        loadServerConfig({
          ...base,
          CUSTOS_AUDIT_WITNESS_URL: url,
          CUSTOS_AUDIT_WITNESS_SECRET: secret,
        }).auditWitnessWebhook,
      ).toEqual({ url, secret });
    }
  });

  it.each([
    ['CUSTOS_AUDIT_WITNESS_URL', 'http://witness.example/custos', 'w'.repeat(32)],
    ['CUSTOS_AUDIT_WITNESS_URL', 'ftp://witness.example/custos', 'w'.repeat(32)],
    ['CUSTOS_AUDIT_WITNESS_URL', 'not a url', 'w'.repeat(32)],
    ['CUSTOS_AUDIT_WITNESS_URL', 'https://user:pass@witness.example/', 'w'.repeat(32)],
    ['CUSTOS_AUDIT_WITNESS_SECRET', 'https://witness.example/custos', undefined],
    ['CUSTOS_AUDIT_WITNESS_SECRET', 'https://witness.example/custos', 'too-short-a-secret'],
    [
      'CUSTOS_AUDIT_WITNESS_SECRET',
      'https://witness.example/custos',
      `${'w'.repeat(20)} x${'y'.repeat(20)}`,
    ],
  ])('stops naming %s for the witness URL %p', (variable, url, secret) => {
    const env = {
      CUSTOS_DATA_DIR: freshDir(),
      CUSTOS_MASTER_KEY: key,
      CUSTOS_AUDIT_WITNESS_URL: url,
      CUSTOS_AUDIT_WITNESS_SECRET: secret,
    };
    expect(() => loadServerConfig(env)).toThrow(expect.objectContaining({ variable }));
    if (secret) {
      // The message never repeats the secret.
      expect(() => loadServerConfig(env)).not.toThrow(secret);
    }
  });

  it('names a bad checkpoint or verification interval', () => {
    const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
    expect(() => loadServerConfig({ ...base, CUSTOS_AUDIT_CHECKPOINT_SECONDS: '-1' })).toThrow(
      expect.objectContaining({ variable: 'CUSTOS_AUDIT_CHECKPOINT_SECONDS' }),
    );
    expect(() =>
      loadServerConfig({ ...base, CUSTOS_SEALED_VALUES_VERIFY_SECONDS: 'daily' }),
    ).toThrow(expect.objectContaining({ variable: 'CUSTOS_SEALED_VALUES_VERIFY_SECONDS' }));
  });

  it.each([
    ['CUSTOS_PARTNER_EXPIRY_SECONDS', 'partners'],
    ['CUSTOS_APPROVAL_EXPIRY_SECONDS', 'approvals'],
  ] as const)(
    'sweeps every minute by default with %s (%s); 0 turns the sweep off',
    (variable, section) => {
      const base = { CUSTOS_DATA_DIR: freshDir(), CUSTOS_MASTER_KEY: key };
      expect(loadServerConfig(base)[section]).toEqual({ expireEverySeconds: 60 });
      expect(loadServerConfig({ ...base, [variable]: '0' })[section]).toEqual({
        expireEverySeconds: 0,
      });
      expect(() => loadServerConfig({ ...base, [variable]: 'hourly' })).toThrow(
        expect.objectContaining({ variable }),
      );
    },
  );
});
