import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoreModule } from '../core.module';
import { Authenticated, Public, RequirePrivilege } from './route-policy';
import { definePrivileges } from './task-privilege';

definePrivileges(['manage_widgets']);

@Controller('covered')
@Authenticated()
class CoveredController {
  @Get()
  list(): string {
    return 'ok';
  }

  @Get('open')
  @Public()
  open(): string {
    return 'ok';
  }
}

@Controller('uncovered')
class UncoveredController {
  @Get()
  leak(): string {
    return 'secret';
  }
}

@Controller('mistyped')
@RequirePrivilege('manage_widgest')
class MistypedController {
  @Get()
  list(): string {
    return 'ok';
  }
}

@Controller('widgets')
@RequirePrivilege('manage_widgets')
class WidgetsController {
  @Get()
  list(): string {
    return 'ok';
  }
}

@Module({ controllers: [CoveredController, WidgetsController] })
class CoveredModule {}

@Module({ controllers: [UncoveredController] })
class UncoveredModule {}

@Module({ controllers: [MistypedController] })
class MistypedModule {}

/** CoreModule's transactions need a connection; an in-memory one is enough here. */
const database = TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:' });

describe('RoutePolicyVerifier', () => {
  it('lets an application whose routes all declare a policy start', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot({}), database, CoveredModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).resolves.toBe(app);
    await app.close();
  });

  it('refuses to start an application with a route that declares no policy, naming it', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot({}), database, CoveredModule, UncoveredModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('UncoveredController.leak');
    await app.close().catch(() => undefined);
  });

  it('refuses to start an application with a route requiring an undefined privilege, naming both', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot({}), database, CoveredModule, MistypedModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow('MistypedController.list ("manage_widgest")');
    await app.close().catch(() => undefined);
  });
});
