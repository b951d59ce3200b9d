import type { LoggerService, LogLevel } from '@nestjs/common';
import { ClsServiceManager } from 'nestjs-cls';
import pino, { type Logger } from 'pino';

/**
 * Paths pino replaces with `[redacted]`: credentials in headers and in any logged object.
 * Bodies are never logged, so values of records do not reach the log.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.apiKey',
  '*.secret',
  '*.key',
];

/** Only the shape of an error goes to the log: driver errors carry query parameters (values). */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { message: String(error) };
  }
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, code, stack: error.stack };
}

export interface LoggerOptions {
  /** Minimum level; default `info`. */
  level?: string;
}

/**
 * Standard output, buffered: one write per 4 KiB of lines (or per second) instead of one blocking
 * write per line, which cost more CPU than the rest of a trivial request's logging. pino writes
 * what is buffered at the process's `exit` (a crash included); the server exits through
 * `process.exit` on SIGTERM/SIGINT so that this runs.
 */
function bufferedStdout(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 });
}

/** The structured JSON logger used by the server and its HTTP logging (to standard output unless `destination`). */
export function createLogger(
  options: LoggerOptions = {},
  destination: pino.DestinationStream = bufferedStdout(),
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      base: undefined,
      // Every line written while serving a request carries its id, whoever logs it.
      mixin: () => {
        const cls = ClsServiceManager.getClsService();
        const requestId: unknown = cls.isActive() ? cls.get('requestId') : undefined;
        return requestId === undefined ? {} : { requestId };
      },
    },
    destination,
  );
}

/** Adapts pino to Nest's `LoggerService`, so framework and application logs share one stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.logger.level = levels.includes('debug')
      ? 'debug'
      : levels.includes('log')
        ? 'info'
        : 'warn';
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    // Nest passes the context name last; a stack trace (string) may precede it for errors.
    const context =
      typeof params[params.length - 1] === 'string'
        ? (params[params.length - 1] as string)
        : undefined;
    if (typeof message === 'object' && message !== null) {
      const text = typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
      this.logger[level]({ context, ...message }, text);
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
