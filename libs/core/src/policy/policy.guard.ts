import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isReadOnly, isSuperAdminInPerson } from '../context/actor-capabilities';
import { RequestContext } from '../context/request-context';
import { CustosError } from '../errors/custos-error';
import { PRIVILEGE_RESOLVER, type PrivilegeResolver } from './privilege-resolver';
import { READ_ONLY_ROUTE, ROUTE_POLICY, type RoutePolicy } from './route-policy';

/** Methods that change nothing; the only ones read-only actors may use unless a route says otherwise. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Enforces each route's declared policy after authentication has bound the actor.
 * A route without a policy is refused here too (the start-up check should have caught it).
 * Support sessions are read-only: any other method than GET/HEAD is refused for them unless the
 * route is marked {@link ReadOnlyRoute}, whatever the route's policy and the service's checks.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly context: RequestContext,
    @Inject(PRIVILEGE_RESOLVER) private readonly privileges: PrivilegeResolver,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (!policy) {
      throw new CustosError(
        'forbidden',
        'core.route_without_policy',
        'This route declares no access policy.',
      );
    }
    if (policy.kind === 'public') {
      return true;
    }
    const actor = this.context.requireActor();
    if (isReadOnly(actor) && !this.readOnly(execution)) {
      throw new CustosError(
        'forbidden',
        'core.read_only_actor',
        'Support access is read-only: it can view this account but not change it.',
      );
    }
    switch (policy.kind) {
      case 'authenticated':
        return true;
      case 'super_admin': {
        if (isSuperAdminInPerson(actor)) {
          return true;
        }
        throw new CustosError(
          'forbidden',
          'core.super_admin_required',
          'Only super admins of this account may do this.',
        );
      }
      case 'privilege': {
        if (await this.privileges.hasPrivilege(actor, policy.privilege)) {
          return true;
        }
        throw new CustosError(
          'forbidden',
          'core.privilege_required',
          `This requires the "${policy.privilege}" privilege.`,
          { extensions: { privilege: policy.privilege } },
        );
      }
    }
  }

  private readOnly(execution: ExecutionContext): boolean {
    const { method } = execution.switchToHttp().getRequest<{ method: string }>();
    return (
      SAFE_METHODS.has(method.toUpperCase()) ||
      this.reflector.getAllAndOverride<boolean | undefined>(READ_ONLY_ROUTE, [
        execution.getHandler(),
        execution.getClass(),
      ]) === true
    );
  }
}
