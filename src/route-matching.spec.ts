import fc from 'fast-check';
import Router from 'router';
import { beginsWith, literalPrefix, skipRoutesByPrefix } from './route-matching';

interface Layer {
  route?: unknown;
  rawPath?: unknown;
  match(path: string): unknown;
}

const ROUTES = [
  '/api/v1/objects/:objectType/search',
  '/api/v1/objects/:objectType/:id',
  '/api/v1/health/live',
  '/api/v1/me/',
  '/scim/v2/Users/:id',
  '/docs{/*path}',
  '/files/*rest',
  '/',
];

/** Every route of `ROUTES` on a router as Express makes them (case-insensitive, not strict). */
function routes(): Layer[] {
  const router = new Router();
  for (const path of ROUTES) {
    router.get(path, () => undefined);
  }
  return (router as unknown as { stack: Layer[] }).stack;
}

/** A match, or the error a matcher throws (a path that does not decode, `/docs/%`), by its type. */
function outcome(layer: Layer, path: string): unknown {
  try {
    return layer.match(path);
  } catch (error) {
    return (error as Error).name;
  }
}

describe('route matching by literal prefix', () => {
  it('takes the literal text before the first parameter, wildcard or group', () => {
    expect(ROUTES.map(literalPrefix)).toEqual([
      '/api/v1/objects/',
      '/api/v1/objects/',
      '/api/v1/health/live',
      '/api/v1/me',
      '/scim/v2/users/',
      '/docs',
      '/files/',
      '',
    ]);
    expect(literalPrefix('/é/:id')).toBe('');
  });

  it('folds ASCII letters only, as a RegExp with flag i and without u', () => {
    expect(beginsWith('/SCIM/v2/users/1', '/scim/v2/users/')).toBe(true);
    // The Kelvin sign folds onto "k" only under flag u.
    expect(beginsWith('/\u212a', '/k')).toBe(false);
    expect(new RegExp('^/k', 'i').test('/\u212a')).toBe(false);
    expect(beginsWith('/a', '/ab')).toBe(false);
  });

  it('answers every path exactly as the routes own matchers do', () => {
    const plain = routes();
    const guarded = routes();
    skipRoutesByPrefix(guarded);
    const segment = fc.oneof(
      fc.constantFrom('api', 'API', 'v1', 'objects', 'Objects', 'search', 'me', 'health', 'live'),
      fc.constantFrom('scim', 'v2', 'Users', 'docs', 'files', 'contacts', '%41', '%', '\u212a', ''),
      fc.string({ maxLength: 4 }),
    );
    const path = fc
      .array(segment, { maxLength: 6 })
      .chain((parts) =>
        fc.constantFrom(`/${parts.join('/')}`, `/${parts.join('/')}/`, `//${parts.join('/')}`),
      );
    fc.assert(
      fc.property(path, (p) => {
        expect(guarded.map((layer) => outcome(layer, p))).toEqual(
          plain.map((layer) => outcome(layer, p)),
        );
      }),
      { numRuns: 300 },
    );
    for (const p of ['/api/v1/objects/contacts/search', '/API/V1/ME', '/docs', '/files/a/b']) {
      expect(guarded.map((layer) => Boolean(layer.match(p)))).toContain(true);
    }
  });
});
