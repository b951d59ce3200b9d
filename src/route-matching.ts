import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** A layer of Express's router (`router` 2): a route's path and its matcher. */
interface RouterLayer {
  route?: unknown;
  rawPath?: unknown;
  match(path: string): unknown;
}

/** What starts something other than literal text in a route path (path-to-regexp 8's syntax). */
const NOT_LITERAL = /[:*{}()[\]+?!\\]/;

/**
 * The literal text that every request path a route path matches begins with, lower-cased: up to
 * its first parameter, wildcard or group (a trailing slash is optional). `''` when unknown or not
 * ASCII (then nothing is skipped).
 */
export function literalPrefix(path: unknown): string {
  if (typeof path !== 'string') {
    return '';
  }
  const end = path.search(NOT_LITERAL);
  const literal = end === -1 ? path.replace(/\/+$/, '') : path.slice(0, end);
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(literal) ? literal.toLowerCase() : '';
}

/**
 * Whether `path` begins with `prefix` (lower-case ASCII) as a route's case-insensitive RegExp
 * (flag `i`, not `u`) compares them: ASCII letters match in either case, no other character is
 * folded onto an ASCII one. A necessary condition of the route matching, never a sufficient one.
 */
export function beginsWith(path: string, prefix: string): boolean {
  if (path.length < prefix.length) {
    return false;
  }
  for (let i = 0; i < prefix.length; i++) {
    let code = path.charCodeAt(i);
    if (code >= 65 && code <= 90) {
      code += 32;
    }
    if (code !== prefix.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

/**
 * Express tries every route in turn with its regular expression until one matches, a few hundred
 * per request here (≈ 0.1 ms of CPU in the profiles of issue 13). A route whose literal prefix
 * the path does not begin with cannot match: it answers "no match" at once, as its own matcher
 * would, and every other case goes to that matcher as before — which route answers is unchanged.
 */
export function skipRoutesByPrefix(stack: RouterLayer[]): void {
  for (const layer of stack) {
    const prefix = layer.route ? literalPrefix(layer.rawPath) : '';
    if (prefix.length > 1) {
      const match = layer.match.bind(layer);
      layer.match = (path: string) => (beginsWith(path, prefix) ? match(path) : false);
    }
  }
}

/** Applies {@link skipRoutesByPrefix} to the HTTP server's routes once they are all registered. */
@Injectable()
export class RouteMatching implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<{
      router?: { stack?: RouterLayer[] };
    }>();
    const stack = instance?.router?.stack;
    if (Array.isArray(stack)) {
      skipRoutesByPrefix(stack);
    }
  }
}
