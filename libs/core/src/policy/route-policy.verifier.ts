import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ROUTE_POLICY } from './route-policy';

/**
 * Fail closed: refuses to start an application in which any route handler lacks a policy
 * decorator (`@Public`, `@Authenticated`, `@RequirePrivilege`, `@RequireSuperAdmin`).
 */
@Injectable()
export class RoutePolicyVerifier {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Throws, naming each offending handler, when a route has no policy. */
  verify(): void {
    const missing = this.findRoutesWithoutPolicy();
    if (missing.length > 0) {
      throw new Error(
        `These routes declare no access policy: ${missing.join(', ')}. ` +
          'Add @Public(), @Authenticated(), @RequirePrivilege(...) or @RequireSuperAdmin() to each.',
      );
    }
  }

  findRoutesWithoutPolicy(): string[] {
    const missing: string[] = [];
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
        const policy: unknown = this.reflector.getAllAndOverride(ROUTE_POLICY, [handler, metatype]);
        if (!policy) {
          missing.push(`${metatype.name}.${name}`);
        }
      }
    }
    return missing;
  }
}
