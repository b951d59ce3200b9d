import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { RequestContext, ThrottleStore } from '@custos/core';
import { ProvisioningTokenService } from './provisioning-token.service';
import { SCIM_MODULE_OPTIONS, type IdentityScimModuleOptions } from './scim.module-definition';
import { ScimErrors } from './scim.errors';

const WINDOW_MS = 60_000;

/**
 * The only gate of the SCIM routes, which are `@Public()` to the user authentication guard: it
 * accepts a provisioning token and nothing else (a user's access token or an API key gets 401),
 * binds the token's `provisioning` actor, and counts the token's requests in the shared
 * `ThrottleStore` (Redis on the reference server), answering 429 beyond the limit.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  private readonly limit: number;

  constructor(
    private readonly tokens: ProvisioningTokenService,
    private readonly context: RequestContext,
    private readonly throttle: ThrottleStore,
    @Inject(SCIM_MODULE_OPTIONS) options: IdentityScimModuleOptions,
  ) {
    this.limit = options.requestsPerMinute ?? 12_000;
  }

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const authorization = execution.switchToHttp().getRequest<Request>().headers.authorization;
    const presented = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    const actor = presented ? await this.tokens.authenticate(presented) : null;
    if (!actor) {
      throw ScimErrors.invalidToken();
    }
    const window = await this.throttle.hit(`scim:token:${actor.id}`, WINDOW_MS);
    if (window.count > this.limit) {
      throw ScimErrors.tooManyRequests(Math.max(1, Math.ceil(window.resetInMs / 1000)));
    }
    this.context.setActor(actor);
    return true;
  }
}
