import type { NextFunction, Request, Response } from 'express';
import { CustosError } from '../errors/custos-error';

/**
 * Deepest nesting of objects and arrays a JSON request body may have (`{}` is 1 level). Far
 * beyond any request this API defines, far below where validation's recursion (class-transformer)
 * overflows the stack, at about 1,300 levels.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests objects and arrays deeper than `max` levels. Iterative, so that a hostile
 * body cannot overflow the check itself, and it stops at the first level too deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value !== 'object' || next.value === null) {
      continue;
    }
    if (next.depth > max) {
      return true;
    }
    for (const child of Object.values(next.value)) {
      pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/** The refusal of a body nested too deep: a 400 problem document naming the limit. */
export function bodyTooDeep(max: number): CustosError {
  return new CustosError(
    'bad_request',
    'core.body_too_deep',
    `The request body nests objects and arrays deeper than ${max} levels; send a flatter body.`,
    { extensions: { limit: max } },
  );
}

/**
 * Express middleware, mounted right after the JSON body parser: refuses a parsed body nested
 * deeper than `max` levels before any route, guard or validation sees it.
 */
export function bodyDepthLimit(
  max = MAX_BODY_DEPTH,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    next(nestsDeeperThan(req.body, max) ? bodyTooDeep(max) : undefined);
  };
}
