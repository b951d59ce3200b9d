import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  Module,
  Post,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import {
  Authenticated,
  CoreModule,
  CustosError,
  CustosValidationPipe,
  IdParam,
  PolicyGuard,
  ProblemDetailsFilter,
  RequestContext,
  RequirePrivilege,
  definePrivileges,
} from '@custos/core';

/** Your app's task privileges; a route requiring one nobody defined stops the app at start. */
definePrivileges(['manage_privacy_requests']);

/** Stand-in for your authentication (or @custos/identity's AuthenticationGuard): binds the actor. */
@Injectable()
class DemoAuthGuard implements CanActivate {
  constructor(private readonly context: RequestContext) {}

  canActivate(execution: ExecutionContext): boolean {
    const user = execution.switchToHttp().getRequest<Request>().header('x-demo-user');
    if (user) {
      this.context.setActor({
        kind: 'user',
        id: user,
        userId: user,
        accountId: 'acme',
        label: user,
        superAdmin: user === 'boss',
      });
    }
    return true;
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly context: RequestContext) {}

  @Get(':noteId')
  @Authenticated()
  get(@IdParam('noteId') noteId: string): never {
    // Domain code throws CustosError; the filter renders it as RFC 9457 problem details.
    throw CustosError.notFound(
      'notes.not_found',
      `Note ${noteId} of account ${this.context.requireAccountId()}`,
    );
  }

  @Post('purge')
  @RequirePrivilege('manage_privacy_requests')
  purge(): { purgedBy: string } {
    return { purgedBy: this.context.requireActor().label };
  }
}

@Module({
  imports: [
    CoreModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:' }),
  ],
  controllers: [NotesController],
  providers: [
    { provide: APP_GUARD, useClass: DemoAuthGuard },
    { provide: APP_GUARD, useExisting: PolicyGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useClass: CustosValidationPipe },
  ],
})
export class NotesAppModule {}
