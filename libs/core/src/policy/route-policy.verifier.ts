import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ROUTE_POLICY, type RoutePolicy } from './route-policy';
import { isTaskPrivilege } from './task-privilege';

/**
 * Fail closed: refuses to start an application in which any route handler lacks a policy
 * decorator (`@Public`, `@Authenticated`, `@RequirePrivilege`, `@RequireSuperAdmin`), or requires
 * a task privilege that no lib and not the host defined (a typo would lock everyone out).
 */
@Injectable()
export class RoutePolicyVerifier {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Throws, naming each offending handler, when a route has no policy or an unknown privilege. */
  verify(): void {
    const routes = this.routes();
    const missing = routes.filter((route) => !route.policy).map((route) => route.name);
    if (missing.length > 0) {
      throw new Error(
        `These routes declare no access policy: ${missing.join(', ')}. ` +
          'Add @Public(), @Authenticated(), @RequirePrivilege(...) or @RequireSuperAdmin() to each.',
      );
    }
    const unknown = routes.flatMap(({ name, policy }) =>
      policy?.kind === 'privilege' && !isTaskPrivilege(policy.privilege)
        ? [`${name} ("${policy.privilege}")`]
        : [],
    );
    if (unknown.length > 0) {
      throw new Error(
        `These routes require task privileges that are not defined: ${unknown.join(', ')}. ` +
          'Define them with definePrivileges([...]) from @custos/core.',
      );
    }
  }

  /** Every route handler of the application as `Controller.method`, with its policy if any. */
  private routes(): { name: string; policy: RoutePolicy | undefined }[] {
    const routes: { name: string; policy: RoutePolicy | undefined }[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!instance || !metatype) {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (
          ...args: unknown[]
        ) => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue;
        }
        routes.push({
          name: `${metatype.name}.${name}`,
          policy: this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, [
            handler,
            metatype,
          ]),
        });
      }
    }
    return routes;
  }
}
