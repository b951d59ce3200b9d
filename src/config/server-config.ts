import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { S3FileStoreOptions } from '@custos/core/s3';
import { DEFAULT_OPENING_THREADS, OPENING_WORKERS_FROM_VALUES } from '@custos/crypto';
import { OIDC_DEFAULT_ALGORITHMS, type OidcOptions } from '@custos/identity';

/** Up to this many matches a list or search total is always counted exactly. */
export const DEFAULT_EXACT_TOTAL_UP_TO = 10_000;

/** A configuration value that stops the start; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Configuration error in ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type DatabaseConfig =
  { type: 'better-sqlite3'; database: string } | { type: 'postgres'; url: string };

/** Everything the reference server reads from its environment, validated. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  /** 32-byte master secret; per-purpose keys are derived from it. */
  masterKey: Buffer;
  /** Whether the master key file was created by this start (warn to back it up). */
  masterKeyCreated: boolean;
  adminEmail?: string;
  adminPassword?: string;
  tokenTtlSeconds: number;
  bodyLimitBytes: number;
  /** Largest CSV file accepted by `POST /api/v1/imports`. */
  importMaxBytes: number;
  /** Largest file accepted as an attachment of a CRM record. */
  attachmentMaxBytes: number;
  /** Rows each source of a data-key rotation looks at per transaction. */
  rotationBatchSize: number;
  /**
   * Worker threads opening an export's pages of sealed values (0: on the event loop), and the
   * fewest values a page sends them. `CUSTOS_OPENING_WORKERS` (default 0: the event loop
   * opens them), `CUSTOS_OPENING_WORKERS_FROM_VALUES` (default 500).
   */
  openingWorkers: { threads: number; fromValues: number };
  /** Exports: days a finished file can be downloaded, and hours a request waits for approval. */
  exports: { fileTtlDays: number; pendingApprovalHours: number };
  /**
   * Lists and searches count their total exactly up to this many matches; above it a request may
   * ask for an estimate (`total: 'estimate'`). `CUSTOS_EXACT_TOTAL_UP_TO`, default 10,000.
   */
  exactTotalUpTo: number;
  logLevel: string;
  trustProxy: boolean;
  oidc?: OidcOptions;
  loginThrottle: { maxFailuresPerEmail: number; maxFailuresPerIp: number; windowSeconds: number };
  /** SCIM requests per provisioning token per minute (`CUSTOS_SCIM_REQUESTS_PER_MINUTE`, default 12,000). */
  scimRequestsPerMinute: number;
  /** Public form submissions accepted per client IP per window (over all instances with Redis). */
  formSubmissionThrottle: { maxPerIp: number; windowSeconds: number };
  /** Static token of the platform operator API (`X-Operator-Token`); unset: that API answers 404. */
  operatorToken?: string;
  /** Redis shared by the instances (throttling counters); unset: counters per process. */
  redisUrl?: string;
  /** Append-only file of audit chain-head checkpoints (`CUSTOS_AUDIT_WITNESS_FILE`). */
  auditWitnessFile: string;
  /**
   * Webhook storing the audit checkpoints at another party (`CUSTOS_AUDIT_WITNESS_URL` and
   * `CUSTOS_AUDIT_WITNESS_SECRET`); when set it replaces the file.
   */
  auditWitnessWebhook?: { url: string; secret: string };
  /** Seconds between two checkpoints of the audit chain heads that moved. */
  auditCheckpointSeconds: number;
  /**
   * Consent: `CUSTOS_BOUNCE_WEBHOOK_SECRET` (32 to 512 characters; unset: the bounce webhook is off)
   * `CUSTOS_BOUNCE_RETURN_PATH`, the VERP base address (`bounces@mail.example.com`), and
   * `CUSTOS_UNSUBSCRIBE_MAILBOX`, the `mailto:` of `List-Unsubscribe` beside its URL (unset: none).
   */
  consent: { bounceWebhookSecret?: string; returnPath?: string; unsubscribeMailbox?: string };
  /**
   * Privacy requests: `CUSTOS_PRIVACY_DUPLICATE_WINDOW_DAYS` (a request of the same subject and
   * type within it is a possible duplicate; default 30) and `CUSTOS_PRIVACY_DUE_SOON_DAYS`
   * (flagged due soon this many days before the due date; default 7).
   */
  privacy: { duplicateWindowDays: number; dueSoonDays: number };
  /**
   * Partner admins: `CUSTOS_PARTNER_EXPIRY_SECONDS`, seconds between two sweeps that end the
   * time-bound partner accesses whose end has passed (0: off — each still ends at its holder's
   * next request; default 60).
   */
  partners: { expireEverySeconds: number };
  /**
   * Approvals (exports'): `CUSTOS_APPROVAL_EXPIRY_SECONDS`, seconds between two sweeps that mark
   * pending requests past their time expired (0: off — such a request can no longer be decided,
   * but stays pending until `Approvals.expireDue` runs; default 60).
   */
  approvals: { expireEverySeconds: number };
  /** Seconds between two verifications of every sealed value against its audited digest (0: off). */
  sealedValuesVerifySeconds: number;
  /**
   * Prometheus metrics (`CUSTOS_METRICS=on`); served on the API port, or with `CUSTOS_METRICS_PORT`
   * on a listener of its own at `CUSTOS_METRICS_HOST`. Unset: off.
   */
  metrics?: { port?: number; host: string };
  /**
   * Background jobs: how long a worker holds a job without renewing its lease (a job of a killed
   * instance is taken over after it), how often idle workers look for jobs in the database, and
   * the key prefix of the BullMQ queues (deployments sharing one Redis need their own).
   */
  jobs: { leaseSeconds: number; pollMs: number; redisPrefix: string };
  /** Where files live: below `dataDir` (default) or in an S3-compatible bucket (`S3_*`). */
  fileStore: FileStoreConfig;
  /** Outbound mail: the sender, and SMTP when `SMTP_URL` is set (else mail stays in the outbox). */
  mail: MailConfig;
}

export type FileStoreConfig =
  { kind: 'disk'; directory: string } | { kind: 's3'; options: S3FileStoreOptions };

export interface MailConfig {
  /** `MAIL_FROM`: the sender address of every mail. */
  from: string;
  /** `SMTP_URL` (may hold credentials: never logged). */
  smtpUrl?: string;
  /** DKIM signing (`MAIL_DKIM_DOMAIN`, `MAIL_DKIM_SELECTOR`, `MAIL_DKIM_PRIVATE_KEY_FILE`). */
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** `CUSTOS_MAIL_DELIVERY_SECONDS`: period of the `mail.deliver` schedule (retries that fell due). */
  deliveryEverySeconds: number;
  /**
   * `CUSTOS_PUBLIC_URL`: where people reach this server; notification mails link to
   * `<url>/api/v1/me/notifications`. Unset: no link.
   */
  publicUrl?: string;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string {
  const raw = env[name]!;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) {
      throw new Error();
    }
    return raw;
  } catch {
    throw new ConfigError(name, `must be a URL starting with ${protocols.join(' or ')}.`);
  }
}

function jobPrefix(env: Env): string {
  const raw = env.CUSTOS_JOB_REDIS_PREFIX || 'custos';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      'CUSTOS_JOB_REDIS_PREFIX',
      'must be 1 to 64 letters, digits, "-" or "_".',
    );
  }
  return raw;
}

function database(env: Env, dataDir: string): DatabaseConfig {
  const raw = env.DATABASE_URL;
  if (!raw) {
    return { type: 'better-sqlite3', database: join(dataDir, 'custos.sqlite') };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (!path) {
      throw new ConfigError(
        'DATABASE_URL',
        'a sqlite: URL needs a file path, e.g. sqlite:./data/custos.sqlite.',
      );
    }
    return { type: 'better-sqlite3', database: isAbsolute(path) ? path : resolve(path) };
  }
  // libpq's form for a Unix socket, `postgres://user@/db?host=/var/run/postgresql`, has no host
  // after the credentials, which a WHATWG URL refuses: checked as if it named localhost (`pg`
  // connects to the socket directory of `host` either way) and passed on as written.
  const socket =
    /^postgres(?:ql)?:\/\/[^/?#]*@\//.test(raw) && /[?&]host=%2F|[?&]host=\//i.test(raw);
  url(socket ? { DATABASE_URL: raw.replace('@/', '@localhost/') } : env, 'DATABASE_URL', [
    'postgres:',
    'postgresql:',
  ]);
  return { type: 'postgres', url: raw };
}

/** A size in bytes, optionally with a unit (`512kb`, `2mb`). */
function size(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (!raw) {
    return fallback;
  }
  const match = /^(\d+)(b|kb|mb)?$/i.exec(raw.trim());
  if (!match) {
    throw new ConfigError(name, `must be a size such as 512kb or 2mb, got "${raw}".`);
  }
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[
    (match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'
  ];
  const bytes = Number(match[1]) * unit;
  if (bytes < 1 || bytes > max) {
    throw new ConfigError(name, `must be from 1 byte to ${max} bytes, got "${raw}".`);
  }
  return bytes;
}

/**
 * The master secret: `CUSTOS_MASTER_KEY` (base64 of 32 bytes), else `<dataDir>/master.key`,
 * created on first start with mode 0600.
 */
function masterKey(env: Env, dataDir: string): { key: Buffer; created: boolean } {
  const decode = (raw: string, variable: string): Buffer => {
    const key = Buffer.from(raw.trim(), 'base64');
    if (key.length !== 32) {
      throw new ConfigError(
        variable,
        'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).',
      );
    }
    return key;
  };
  if (env.CUSTOS_MASTER_KEY) {
    return { key: decode(env.CUSTOS_MASTER_KEY, 'CUSTOS_MASTER_KEY'), created: false };
  }
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) {
    return {
      key: decode(readFileSync(file, 'utf8'), `CUSTOS_MASTER_KEY (file ${file})`),
      created: false,
    };
  }
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32)));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}

function oidc(env: Env): OidcOptions | undefined {
  const names = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const;
  const set = names.filter((name) => env[name]);
  if (set.length === 0) {
    return undefined;
  }
  const missing = names.find((name) => !env[name]);
  if (missing) {
    throw new ConfigError(
      missing,
      `is required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set.`,
    );
  }
  const algorithms = env.OIDC_ALGORITHMS
    ? env.OIDC_ALGORITHMS.split(',').map((a) => a.trim())
    : OIDC_DEFAULT_ALGORITHMS;
  const allowed = [
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
  ];
  const bad = algorithms.find((a) => !allowed.includes(a));
  if (bad !== undefined) {
    throw new ConfigError(
      'OIDC_ALGORITHMS',
      `"${bad}" is not an accepted asymmetric algorithm (${allowed.join(', ')}).`,
    );
  }
  return {
    issuer: env.OIDC_ISSUER!,
    audience: env.OIDC_AUDIENCE!,
    jwksUrl: url(env, 'OIDC_JWKS_URL', ['https:', 'http:']),
    algorithms,
    emailClaim: env.OIDC_EMAIL_CLAIM || 'email',
  };
}

/** The platform operator's token: at least 32 characters, no whitespace; unset or empty: disabled. */
function operatorToken(env: Env): string | undefined {
  const raw = env.CUSTOS_OPERATOR_TOKEN;
  if (raw === undefined || raw === '') {
    return undefined;
  }
  if (raw.length < 32 || raw.length > 512 || /\s/.test(raw)) {
    throw new ConfigError(
      'CUSTOS_OPERATOR_TOKEN',
      'must be 32 to 512 characters without whitespace (e.g. `openssl rand -base64 32`).',
    );
  }
  return raw;
}

/** `REDIS_URL`: a `redis://` or `rediss://` URL; unset or empty: no Redis. */
function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'must be a URL such as redis://127.0.0.1:6379/0.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss:// (TLS).');
  }
  return raw;
}

/**
 * `CUSTOS_AUDIT_WITNESS_URL` (https, or http to 127.0.0.1 / localhost only) with
 * `CUSTOS_AUDIT_WITNESS_SECRET` (32 to 512 characters, no whitespace); unset or empty: no webhook.
 */
function auditWitnessWebhook(env: Env): { url: string; secret: string } | undefined {
  const raw = env.CUSTOS_AUDIT_WITNESS_URL;
  if (raw === undefined || raw === '') {
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  const local =
    parsed?.hostname === '127.0.0.1' ||
    parsed?.hostname === 'localhost' ||
    parsed?.hostname === '[::1]';
  if (
    !parsed ||
    !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && local)) ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    throw new ConfigError(
      'CUSTOS_AUDIT_WITNESS_URL',
      'must be an https:// URL without credentials (http:// only to 127.0.0.1 or localhost).',
    );
  }
  const secret = env.CUSTOS_AUDIT_WITNESS_SECRET;
  if (secret === undefined || secret.length < 32 || secret.length > 512 || /\s/.test(secret)) {
    throw new ConfigError(
      'CUSTOS_AUDIT_WITNESS_SECRET',
      'must be 32 to 512 characters without whitespace when CUSTOS_AUDIT_WITNESS_URL is set ' +
        '(e.g. `openssl rand -base64 32`).',
    );
  }
  return { url: raw, secret };
}

const S3_VARIABLES = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

/** `S3_BUCKET` selects the S3-compatible store, with the other `S3_*`; unset: files below the data folder. */
function fileStore(env: Env, dataDir: string): FileStoreConfig {
  const bucket = env.S3_BUCKET;
  if (!bucket) {
    const stray = S3_VARIABLES.find((name) => env[name]);
    if (stray) {
      throw new ConfigError('S3_BUCKET', `must be set when ${stray} is (or unset ${stray}).`);
    }
    return { kind: 'disk', directory: dataDir };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(
      'S3_BUCKET',
      'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens.',
    );
  }
  const region = env.S3_REGION || 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) {
    throw new ConfigError('S3_REGION', 'must be a region name such as eu-central-1.');
  }
  const endpoint = env.S3_ENDPOINT ? url(env, 'S3_ENDPOINT', ['https:', 'http:']) : undefined;
  if (endpoint && (new URL(endpoint).username || new URL(endpoint).password)) {
    throw new ConfigError(
      'S3_ENDPOINT',
      'must not hold credentials: use S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.',
    );
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY;
  if (!accessKeyId !== !secretAccessKey) {
    throw new ConfigError(
      accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID',
      'must be set together with the other key (or neither, for the default AWS credential chain).',
    );
  }
  const pathStyle = env.S3_FORCE_PATH_STYLE || 'false';
  if (pathStyle !== 'true' && pathStyle !== 'false') {
    throw new ConfigError('S3_FORCE_PATH_STYLE', 'must be true or false.');
  }
  return {
    kind: 's3',
    options: {
      bucket,
      region,
      endpoint,
      forcePathStyle: pathStyle === 'true',
      credentials: accessKeyId ? { accessKeyId, secretAccessKey: secretAccessKey! } : undefined,
    },
  };
}

const EMAIL = /^[^@\s<>"]+@[^@\s<>"]+$/;

/** `MAIL_FROM`, `SMTP_URL` (smtp:// or smtps://) and the DKIM trio (all three or none). */
function mail(env: Env): MailConfig {
  const from = env.MAIL_FROM || 'custos@localhost';
  if (!EMAIL.test(from)) {
    throw new ConfigError('MAIL_FROM', 'must be an email address such as custos@example.com.');
  }
  const common = {
    from,
    smtpUrl: env.SMTP_URL ? url(env, 'SMTP_URL', ['smtp:', 'smtps:']) : undefined,
    deliveryEverySeconds: integer(env, 'CUSTOS_MAIL_DELIVERY_SECONDS', 60, 1, 3600),
    publicUrl: publicUrl(env),
  };
  const dkimVariables = [
    'MAIL_DKIM_DOMAIN',
    'MAIL_DKIM_SELECTOR',
    'MAIL_DKIM_PRIVATE_KEY_FILE',
  ] as const;
  const missing = dkimVariables.find((name) => !env[name]);
  if (missing === undefined) {
    let privateKey: string;
    try {
      privateKey = readFileSync(env.MAIL_DKIM_PRIVATE_KEY_FILE!, 'utf8');
    } catch {
      throw new ConfigError('MAIL_DKIM_PRIVATE_KEY_FILE', 'cannot be read.');
    }
    if (!privateKey.includes('PRIVATE KEY-----')) {
      throw new ConfigError('MAIL_DKIM_PRIVATE_KEY_FILE', 'must hold a PEM private key.');
    }
    return {
      ...common,
      dkim: {
        domainName: env.MAIL_DKIM_DOMAIN!,
        keySelector: env.MAIL_DKIM_SELECTOR!,
        privateKey,
      },
    };
  }
  if (dkimVariables.some((name) => env[name])) {
    throw new ConfigError(missing, 'must be set with the other MAIL_DKIM_* variables (or none).');
  }
  return common;
}

function consentConfig(env: Env): ServerConfig['consent'] {
  const secret = env.CUSTOS_BOUNCE_WEBHOOK_SECRET || undefined;
  if (secret !== undefined && !/^\S{32,512}$/.test(secret)) {
    throw new ConfigError(
      'CUSTOS_BOUNCE_WEBHOOK_SECRET',
      'must be 32 to 512 characters without whitespace.',
    );
  }
  const plainAddress = (name: string, example: string): string | undefined => {
    const value = env[name] || undefined;
    if (value !== undefined && !/^[a-z0-9._-]+@[a-z0-9.-]+$/i.test(value)) {
      throw new ConfigError(name, `must be a plain address such as ${example}.`);
    }
    return value;
  };
  return {
    bounceWebhookSecret: secret,
    returnPath: plainAddress('CUSTOS_BOUNCE_RETURN_PATH', 'bounces@mail.example.com'),
    unsubscribeMailbox: plainAddress('CUSTOS_UNSUBSCRIBE_MAILBOX', 'unsubscribe@mail.example.com'),
  };
}

/** `CUSTOS_PUBLIC_URL`: an http(s) base without credentials, query or fragment (it goes in mails). */
function publicUrl(env: Env): string | undefined {
  if (!env.CUSTOS_PUBLIC_URL) {
    return undefined;
  }
  const raw = url(env, 'CUSTOS_PUBLIC_URL', ['https:', 'http:']);
  const parsed = new URL(raw);
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new ConfigError(
      'CUSTOS_PUBLIC_URL',
      'must be a plain base URL such as https://crm.example.com (no credentials, query or fragment).',
    );
  }
  return raw.replace(/\/+$/, '');
}

/** `CUSTOS_METRICS` (`on` / `off`, default off), `CUSTOS_METRICS_PORT`, `CUSTOS_METRICS_HOST`. */
function metrics(env: Env): { port?: number; host: string } | undefined {
  const switched = env.CUSTOS_METRICS || 'off';
  if (switched !== 'on' && switched !== 'off') {
    throw new ConfigError('CUSTOS_METRICS', `must be on or off, got "${switched}".`);
  }
  const ownPort = env.CUSTOS_METRICS_PORT !== undefined && env.CUSTOS_METRICS_PORT !== '';
  if (switched === 'off') {
    if (ownPort) {
      throw new ConfigError('CUSTOS_METRICS_PORT', 'is set but CUSTOS_METRICS is not on.');
    }
    return undefined;
  }
  return {
    port: ownPort ? integer(env, 'CUSTOS_METRICS_PORT', 0, 0, 65535) : undefined,
    host: env.CUSTOS_METRICS_HOST || '127.0.0.1',
  };
}

/** Reads and validates the configuration; throws {@link ConfigError} naming the first bad variable. */
export function loadServerConfig(env: Env = process.env): ServerConfig {
  const dataDir = resolve(env.CUSTOS_DATA_DIR || './data');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      'must be one of fatal, error, warn, info, debug, trace, silent.',
    );
  }
  const adminEmail = env.CUSTOS_ADMIN_EMAIL?.trim();
  if (adminEmail !== undefined && adminEmail !== '' && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('CUSTOS_ADMIN_EMAIL', 'must be an email address.');
  }
  const adminPassword = env.CUSTOS_ADMIN_PASSWORD;
  if (
    adminPassword !== undefined &&
    adminPassword !== '' &&
    (adminPassword.length < 12 || adminPassword.length > 256)
  ) {
    throw new ConfigError('CUSTOS_ADMIN_PASSWORD', 'must be 12 to 256 characters long.');
  }
  const databaseConfig = database(env, dataDir);
  const master = masterKey(env, dataDir);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir,
    database: databaseConfig,
    masterKey: master.key,
    masterKeyCreated: master.created,
    adminEmail: adminEmail || undefined,
    adminPassword: adminPassword || undefined,
    tokenTtlSeconds: integer(env, 'CUSTOS_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    bodyLimitBytes: size(env, 'CUSTOS_BODY_LIMIT', 1024 * 1024),
    importMaxBytes: size(env, 'CUSTOS_IMPORT_MAX_BYTES', 50 * 1024 * 1024, 2 ** 31 - 1),
    // Held in memory while received (so plaintext of encrypted files never touches disk): bounded.
    attachmentMaxBytes: size(env, 'CUSTOS_ATTACHMENT_MAX_BYTES', 25 * 1024 * 1024, 1024 ** 3),
    rotationBatchSize: integer(env, 'CUSTOS_ROTATION_BATCH_SIZE', 500, 1, 100_000),
    openingWorkers: {
      threads: integer(env, 'CUSTOS_OPENING_WORKERS', DEFAULT_OPENING_THREADS, 0, 16),
      fromValues: integer(
        env,
        'CUSTOS_OPENING_WORKERS_FROM_VALUES',
        OPENING_WORKERS_FROM_VALUES,
        1,
        1_000_000,
      ),
    },
    exports: {
      fileTtlDays: integer(env, 'CUSTOS_EXPORT_FILE_TTL_DAYS', 7, 1, 365),
      pendingApprovalHours: integer(env, 'CUSTOS_EXPORT_APPROVAL_HOURS', 72, 1, 24 * 90),
    },
    exactTotalUpTo: integer(
      env,
      'CUSTOS_EXACT_TOTAL_UP_TO',
      DEFAULT_EXACT_TOTAL_UP_TO,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    logLevel,
    trustProxy: env.CUSTOS_TRUST_PROXY === 'true',
    oidc: oidc(env),
    loginThrottle: {
      maxFailuresPerEmail: integer(env, 'CUSTOS_LOGIN_MAX_FAILURES_PER_EMAIL', 5, 1, 1000),
      maxFailuresPerIp: integer(env, 'CUSTOS_LOGIN_MAX_FAILURES_PER_IP', 20, 1, 100_000),
      windowSeconds: integer(env, 'CUSTOS_LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    },
    scimRequestsPerMinute: integer(env, 'CUSTOS_SCIM_REQUESTS_PER_MINUTE', 12_000, 1, 1_000_000),
    formSubmissionThrottle: {
      maxPerIp: integer(env, 'CUSTOS_FORM_SUBMISSIONS_PER_IP', 10, 1, 100_000),
      windowSeconds: integer(env, 'CUSTOS_FORM_SUBMISSION_WINDOW_SECONDS', 60, 1, 86_400),
    },
    operatorToken: operatorToken(env),
    redisUrl: redisUrl(env),
    auditWitnessFile: resolve(
      env.CUSTOS_AUDIT_WITNESS_FILE || join(dataDir, 'audit-checkpoints.jsonl'),
    ),
    auditWitnessWebhook: auditWitnessWebhook(env),
    consent: consentConfig(env),
    privacy: {
      duplicateWindowDays: integer(env, 'CUSTOS_PRIVACY_DUPLICATE_WINDOW_DAYS', 30, 1, 366),
      dueSoonDays: integer(env, 'CUSTOS_PRIVACY_DUE_SOON_DAYS', 7, 0, 31),
    },
    partners: {
      expireEverySeconds: integer(env, 'CUSTOS_PARTNER_EXPIRY_SECONDS', 60, 0, 86_400),
    },
    approvals: {
      expireEverySeconds: integer(env, 'CUSTOS_APPROVAL_EXPIRY_SECONDS', 60, 0, 86_400),
    },
    auditCheckpointSeconds: integer(env, 'CUSTOS_AUDIT_CHECKPOINT_SECONDS', 60, 0, 86_400),
    sealedValuesVerifySeconds: integer(
      env,
      'CUSTOS_SEALED_VALUES_VERIFY_SECONDS',
      86_400,
      0,
      604_800,
    ),
    fileStore: fileStore(env, dataDir),
    mail: mail(env),
    metrics: metrics(env),
    jobs: {
      leaseSeconds: integer(env, 'CUSTOS_JOB_LEASE_SECONDS', 30, 1, 3600),
      pollMs: integer(env, 'CUSTOS_JOB_POLL_MS', 1000, 10, 60_000),
      redisPrefix: jobPrefix(env),
    },
  };
}
