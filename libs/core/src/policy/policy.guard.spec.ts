import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor } from '../context/actor';
import type { RequestContext } from '../context/request-context';
import { PolicyGuard } from './policy.guard';
import { SuperAdminPrivilegeResolver } from './privilege-resolver';
import { Authenticated, ReadOnlyRoute, RequirePrivilege, RequireSuperAdmin } from './route-policy';

class Routes {
  @Authenticated()
  member(): void {}

  @Authenticated()
  @ReadOnlyRoute()
  search(): void {}

  @RequireSuperAdmin()
  admin(): void {}

  @RequirePrivilege('view_audit_log')
  auditLog(): void {}
}

const person = (kind: Actor['kind'], superAdmin: boolean): Actor => ({
  kind,
  id: 'u1',
  accountId: 'a1',
  userId: 'u1',
  label: 'someone@example.com',
  superAdmin,
});

function execution(handler: keyof Routes, method: string): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ method }) }),
  } as unknown as ExecutionContext;
}

describe(PolicyGuard.name, () => {
  const guard = (actor: Actor) =>
    new PolicyGuard(
      new Reflector(),
      { requireActor: () => actor } as RequestContext,
      new SuperAdminPrivilegeResolver(),
    );

  it.each([
    ['GET', 'member'],
    ['HEAD', 'member'],
    ['POST', 'search'],
  ] as const)('lets a support session %s a route that reads (%s)', async (method, handler) => {
    await expect(
      guard(person('support', false)).canActivate(execution(handler, method)),
    ).resolves.toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'refuses a support session any %s of a route that may write',
    async (method) => {
      await expect(
        guard(person('support', false)).canActivate(execution('member', method)),
      ).rejects.toMatchObject({ kind: 'forbidden', code: 'core.read_only_actor' });
    },
  );

  it('refuses a support session the routes of super admins, even to read', async () => {
    await expect(
      guard(person('support', false)).canActivate(execution('admin', 'GET')),
    ).rejects.toMatchObject({ code: 'core.super_admin_required' });
  });

  it('leaves writes of people as their policy says', async () => {
    await expect(
      guard(person('user', false)).canActivate(execution('member', 'POST')),
    ).resolves.toBe(true);
    await expect(
      guard(person('user', false)).canActivate(execution('auditLog', 'GET')),
    ).rejects.toMatchObject({ code: 'core.privilege_required' });
  });
});
