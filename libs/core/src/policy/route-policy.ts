import { SetMetadata } from '@nestjs/common';
import type { TaskPrivilege } from './task-privilege';

/** What a route requires of its caller. Every route declares one; see {@link RoutePolicyVerifier}. */
export type RoutePolicy =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'privilege'; readonly privilege: TaskPrivilege }
  | { readonly kind: 'super_admin' };

export const ROUTE_POLICY = 'custos:route-policy';

/** Anyone may call the route, without credentials (login, health). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'public' } satisfies RoutePolicy);

/** Any authenticated actor may call the route; the service checks record-level access. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'authenticated' } satisfies RoutePolicy);

/** The caller must hold this task privilege in the token's account. */
export const RequirePrivilege = (privilege: TaskPrivilege): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'privilege', privilege } satisfies RoutePolicy);

/** Only super admins of the account (never private apps or partner admins). */
export const RequireSuperAdmin = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'super_admin' } satisfies RoutePolicy);

export const READ_ONLY_ROUTE = 'custos:read-only-route';

/**
 * The route changes nothing although its method is not GET or HEAD (a search, a batch read), so
 * read-only actors — support sessions — may call it like a GET.
 */
export const ReadOnlyRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(READ_ONLY_ROUTE, true);
