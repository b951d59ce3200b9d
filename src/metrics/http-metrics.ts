import type { NextFunction, Request, Response } from 'express';
import type { ServerMetrics } from './server-metrics';

/**
 * Express middleware timing every request. The route label is Express's matched template
 * (`/api/v1/objects/:objectType/:id`), read when the response ends; a request that matched no
 * route is `unmatched`, so probing random paths cannot grow the label set.
 */
export function httpMetrics(metrics: ServerMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const template = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(req.method, route, res.statusCode, seconds);
    });
    next();
  };
}
