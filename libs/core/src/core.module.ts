import {
  DynamicModule,
  Global,
  Inject,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { NotificationInbox } from './notifications/notification-inbox';
import { Clock, SystemClock } from './clock';
import { RequestContext, type CustosClsStore } from './context/request-context';
import {
  CORE_MODULE_OPTIONS,
  CoreConfigurableModule,
  type CORE_OPTIONS_TYPE,
  type CoreModuleOptions,
} from './core.module-definition';
import { TransactionHost } from './database/transaction-host';
import { ForegroundRequests } from './http/foreground-requests';
import { DatabaseJobBackend } from './jobs/database-job-backend';
import { JOB_BACKEND, Jobs } from './jobs/jobs';
import { PolicyGuard } from './policy/policy.guard';
import {
  PRIVILEGE_RESOLVER,
  SuperAdminPrivilegeResolver,
  type PrivilegeResolver,
} from './policy/privilege-resolver';
import { RoutePolicyVerifier } from './policy/route-policy.verifier';
import { InMemoryThrottleStore, ThrottleStore } from './throttling/throttle-store';

/**
 * The request context (nestjs-cls), transactions, clock, throttling counters, background jobs and route policies shared by every
 * Custos lib. Import once, with `CoreModule.forRoot()`, in the root module.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    // nestjs-cls's store without its ClsModule: that module adds a global guard and interceptor
    // to every route (no-ops when not mounted, yet an interceptor runs Nest's RxJS chain per
    // request) and an async middleware resolving proxy providers; Custos uses none of them.
    { provide: ClsService, useValue: ClsServiceManager.getClsService() },
    RequestContext,
    TransactionHost,
    PolicyGuard,
    RoutePolicyVerifier,
    NotificationInbox,
    ForegroundRequests,
    {
      provide: PRIVILEGE_RESOLVER,
      inject: [CORE_MODULE_OPTIONS, ModuleRef],
      useFactory: (options: CoreModuleOptions, moduleRef: ModuleRef): PrivilegeResolver => {
        const token = options.privilegeResolver;
        if (token === undefined) {
          return new SuperAdminPrivilegeResolver();
        }
        // Looked up lazily: the resolver's module usually depends on this one.
        let resolver: PrivilegeResolver | undefined;
        const resolved = () =>
          (resolver ??= moduleRef.get<PrivilegeResolver>(token, { strict: false }));
        return {
          hasPrivilege: (actor, privilege) => resolved().hasPrivilege(actor, privilege),
          heldPrivileges: (actor) => resolved().heldPrivileges(actor),
          current: (actor) => resolved().current(actor),
        };
      },
    },
    {
      provide: Clock,
      inject: [CORE_MODULE_OPTIONS],
      useFactory: (options: CoreModuleOptions) => options.clock ?? new SystemClock(),
    },
    {
      provide: JOB_BACKEND,
      inject: [CORE_MODULE_OPTIONS, TransactionHost, Clock, ClsService],
      useFactory: (
        options: CoreModuleOptions,
        transactions: TransactionHost,
        clock: Clock,
        cls: ClsService,
      ) => options.jobs?.backend ?? new DatabaseJobBackend(transactions, clock, cls, options.jobs),
    },
    Jobs,
    {
      provide: ThrottleStore,
      inject: [CORE_MODULE_OPTIONS, Clock],
      useFactory: (options: CoreModuleOptions, clock: Clock) =>
        options.throttleStore ?? new InMemoryThrottleStore(clock),
    },
  ],
  exports: [
    RequestContext,
    TransactionHost,
    PolicyGuard,
    Clock,
    ThrottleStore,
    NotificationInbox,
    Jobs,
    PRIVILEGE_RESOLVER,
    ClsService,
    ForegroundRequests,
  ],
})
export class CoreModule
  extends CoreConfigurableModule
  implements NestModule, OnApplicationBootstrap
{
  constructor(
    @Inject(CORE_MODULE_OPTIONS) private readonly options: CoreModuleOptions,
    private readonly verifier: RoutePolicyVerifier,
    private readonly foreground: ForegroundRequests,
  ) {
    super();
  }

  /** Registers the module; every option has a default, so `CoreModule.forRoot()` is enough. */
  static override forRoot(options: typeof CORE_OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }

  /**
   * Every request runs in a store of its own, holding the request id that the HTTP logging gave
   * it, and is counted in flight until its response closes (background work steps aside).
   */
  configure(consumer: MiddlewareConsumer): void {
    const cls = ClsServiceManager.getClsService<CustosClsStore>();
    consumer
      .apply((req: Request & { id?: string }, res: Response, next: NextFunction) => {
        this.foreground.track(res);
        cls.runWith({ requestId: req.id }, next);
      })
      .forRoutes('/');
  }

  onApplicationBootstrap(): void {
    if (this.options.verifyRoutePolicies ?? true) {
      this.verifier.verify();
    }
  }
}
