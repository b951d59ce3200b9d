import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn, setTimeout as after } from 'node:timers/promises';
import { CoreModule } from '../core.module';
import { Public } from '../policy/route-policy';
import { ForegroundRequests, STEP_ASIDE_SLICES } from './foreground-requests';

@Controller('busy')
@Public()
class BusyController {
  constructor(private readonly foreground: ForegroundRequests) {}

  @Get()
  busy(): { busy: boolean } {
    return { busy: this.foreground.busy };
  }
}

@Module({ controllers: [BusyController] })
class BusyModule {}

/** Which of `first` and `second` settles first. */
async function firstOf(first: Promise<unknown>, second: Promise<unknown>): Promise<string> {
  return Promise.race([first.then(() => 'first'), second.then(() => 'second')]);
}

describe('ForegroundRequests', () => {
  it('counts a request in flight until its response closes, once however often it closes', () => {
    const foreground = new ForegroundRequests();
    const one = new EventEmitter();
    const two = new EventEmitter();
    foreground.track(one);
    foreground.track(two);
    one.emit('close');
    one.emit('close');
    expect(foreground.busy).toBe(true);
    two.emit('close');
    expect(foreground.busy).toBe(false);
  });

  // Timers far longer than the turns they race: a loaded CI machine may stall a process for
  // tens of milliseconds, never for a second.
  it('ends a slice with a bare turn of the event loop when no request is in flight', async () => {
    const foreground = new ForegroundRequests();
    // A pause of the slice's length (a minute) would settle after the timer.
    await expect(firstOf(foreground.yieldTurn(60_000), after(1_000))).resolves.toBe('first');
  });

  it('waits while a request is in flight: the request’s turns come first, and the slice resumes when it is answered', async () => {
    const foreground = new ForegroundRequests();
    const response = new EventEmitter();
    foreground.track(response);
    // Several turns of the event loop (a request's awaits) pass while the slice waits.
    const turns = (async () => {
      for (let n = 0; n < 5; n++) {
        await nextTurn();
      }
    })();
    // The longest wait is a minute: only the answer can end it before the timer.
    const waiting = foreground.yieldTurn(60_000 / STEP_ASIDE_SLICES);
    await expect(firstOf(waiting, turns)).resolves.toBe('second');
    response.emit('close');
    await expect(firstOf(waiting, after(1_000))).resolves.toBe('first');
    await expect(firstOf(foreground.yieldTurn(60_000), after(1_000))).resolves.toBe('first');
  });

  it(`under a request that never ends, resumes after its longest wait (${STEP_ASIDE_SLICES} slices): background work is slowed, never starved`, async () => {
    const foreground = new ForegroundRequests();
    foreground.track(new EventEmitter());
    const started = performance.now();
    await foreground.yieldTurn(2);
    // At least the longest wait (timers may fire up to a millisecond early or late).
    expect(performance.now() - started).toBeGreaterThanOrEqual(STEP_ASIDE_SLICES * 2 - 1);
    expect(foreground.busy).toBe(true);
  });

  it('counts every request the application answers, from its start to its response', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:' }),
        BusyModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/busy`);
      await expect(response.json()).resolves.toEqual({ busy: true });
      const foreground = app.get(ForegroundRequests);
      for (let turn = 0; foreground.busy && turn < 100; turn++) {
        await after(5);
      }
      expect(foreground.busy).toBe(false);
    } finally {
      await app.close();
    }
  });
});
