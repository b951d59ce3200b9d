import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { newId } from '../ids';

const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when well-formed, else a new one),
 * echoes it in the response, and logs one line per request: method, path without the query
 * string, status and duration — never bodies, never credentials.
 */
export function httpLogging(logger: Logger): RequestHandler[] {
  const assignId = (req: Request & { id?: string }, res: Response, next: NextFunction): void => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    req.id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : newId();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
  const log = pinoHttp({
    logger,
    genReqId: (req) => (req as Request & { id: string }).id,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
  });
  return [assignId as RequestHandler, log];
}
