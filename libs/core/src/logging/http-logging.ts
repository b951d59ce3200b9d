import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { newId } from '../ids';

const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when well-formed, else a new one),
 * echoes it in the response, and logs one line per request: method, path without the query
 * string, status and duration — never bodies, never credentials.
 *
 * One middleware writing one line when the response is sent: the fields pino-http wrote, without
 * its child logger and serializers per request (a fifth of a trivial request's CPU).
 */
export function httpLogging(parent: Logger): RequestHandler[] {
  // The line's fields are fixed (no header, body or credential): made once without the parent's
  // redaction, which otherwise copies and walks every line's `req` and `res`.
  const logger = parent.child({}, { redact: [] });
  const log = (req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const incoming = req.headers[REQUEST_ID_HEADER];
    const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : newId();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const line = (completed: boolean) => {
      const status = res.statusCode;
      const fields = {
        req: { id, method: req.method, path: req.originalUrl.split('?')[0] },
        res: { status },
        responseTime: Math.round(performance.now() - started),
      };
      if (!completed) {
        logger.warn(fields, 'request aborted');
      } else if (status >= 500) {
        logger.error(fields, 'request errored');
      } else {
        logger.info(fields, 'request completed');
      }
    };
    res.once('finish', () => line(true));
    res.once('close', () => {
      if (!res.writableFinished) {
        line(false);
      }
    });
    next();
  };
  return [log as RequestHandler];
}
