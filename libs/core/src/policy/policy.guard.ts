import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequestContext } from '../context/request-context';
import { CustosError } from '../errors/custos-error';
import { PRIVILEGE_RESOLVER, type PrivilegeResolver } from './privilege-resolver';
import { ROUTE_POLICY, type RoutePolicy } from './route-policy';

/**
 * Enforces each route's declared policy after authentication has bound the actor.
 * A route without a policy is refused here too (the start-up check should have caught it).
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
    switch (policy.kind) {
      case 'public':
        return true;
      case 'authenticated':
        this.context.requireActor();
        return true;
      case 'super_admin': {
        const actor = this.context.requireActor();
        if (actor.kind === 'user' && actor.superAdmin) {
          return true;
        }
        throw new CustosError(
          'forbidden',
          'core.super_admin_required',
          'Only super admins of this account may do this.',
        );
      }
      case 'privilege': {
        const actor = this.context.requireActor();
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
}
