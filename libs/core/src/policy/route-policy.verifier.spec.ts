import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoreModule } from '../core.module';
import { Authenticated, Public } from './route-policy';

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

@Module({ controllers: [CoveredController] })
class CoveredModule {}

@Module({ controllers: [UncoveredController] })
class UncoveredModule {}

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
});
