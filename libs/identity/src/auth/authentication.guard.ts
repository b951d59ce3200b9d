import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { RequestContext, ROUTE_POLICY, type RoutePolicy } from '@custos/core';
import { IdentityErrors } from '../identity.errors';
import { Authenticator } from './authenticator';

const ACCOUNT_HEADER = 'x-custos-account';
const SIGN_IN_READS_ME = 'identity:sign-in-reads-me';

/** `GET /me`: its sign-in also reads what the route shows (one round trip; `Authenticator`). */
export const SignInReadsMe = (): MethodDecorator => SetMetadata(SIGN_IN_READS_ME, true);

/**
 * Resolves the actor of every non-public request from `Authorization: Bearer …` or `X-API-Key`
 * and binds it to the request context. Register it as the first global guard, before
 * core's `PolicyGuard`.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly context: RequestContext,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (policy?.kind === 'public') {
      return true;
    }
    const request = execution.switchToHttp().getRequest<Request>();
    const token = presentedToken(request);
    if (!token) {
      throw IdentityErrors.invalidToken();
    }
    const accountHeader = request.headers[ACCOUNT_HEADER];
    const actor = await this.authenticator.authenticate({
      token,
      accountId: typeof accountHeader === 'string' ? accountHeader : undefined,
      withMe: this.reflector.get<boolean | undefined>(SIGN_IN_READS_ME, execution.getHandler()),
    });
    this.context.setActor(actor);
    return true;
  }
}

function presentedToken(request: Request): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) {
    return apiKey;
  }
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1];
}
