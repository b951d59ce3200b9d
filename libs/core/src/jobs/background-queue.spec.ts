import { AsyncLocalStorage } from 'node:async_hooks';
import { ClsService } from 'nestjs-cls';
import { BackgroundQueue } from './background-queue';

describe(BackgroundQueue.name, () => {
  const cls = new ClsService(new AsyncLocalStorage());

  it('runs jobs one at a time, in order, each id once while it waits, errors reported', async () => {
    const ran: string[] = [];
    const errors: string[] = [];
    let running = 0;
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const queue = new BackgroundQueue(
      cls,
      async (id) => {
        running += 1;
        expect(running).toBe(1);
        if (id === 'a') {
          await first;
        }
        ran.push(id);
        running -= 1;
        if (id === 'c') {
          throw new Error('boom');
        }
      },
      (error, id) => errors.push(`${id}: ${(error as Error).message}`),
    );
    queue.enqueue('a');
    queue.enqueue('b');
    queue.enqueue('b');
    queue.enqueue('c');
    release();
    await queue.stop();
    expect(ran).toEqual(['a']);
    const again = new BackgroundQueue(
      cls,
      async (id) => {
        ran.push(id);
        if (id === 'c') {
          throw new Error('boom');
        }
      },
      (error, id) => errors.push(`${id}: ${(error as Error).message}`),
    );
    for (const id of ['b', 'b', 'c', 'd']) {
      again.enqueue(id);
    }
    await new Promise((resolve) => setImmediate(resolve));
    await again.stop();
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(errors).toEqual(['c: boom']);
  });

  it('takes nothing once stopped', async () => {
    const ran: string[] = [];
    const queue = new BackgroundQueue(
      cls,
      async (id) => void ran.push(id),
      () => undefined,
    );
    await queue.stop();
    queue.enqueue('late');
    expect(queue.stopped).toBe(true);
    expect(ran).toEqual([]);
  });
});
