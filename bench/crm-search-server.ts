/**
 * The bench server in a child process (forked by bench/crm-search.ts), so that its CPU time per
 * request can be read from `/proc/<pid>/stat` without the client's. Boots the server on the
 * database named in `CUSTOS_BENCH_SERVER` (JSON `BenchEnvironment`), listens on an ephemeral local
 * port, sends `{ port }` to the parent, and closes on the message `'close'` or when the parent goes.
 */
import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { bootBenchApp, type BenchEnvironment } from './crm-search';

async function main(): Promise<void> {
  const environment = JSON.parse(process.env.CUSTOS_BENCH_SERVER ?? '{}') as BenchEnvironment;
  const app = await bootBenchApp(environment);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  let closing = false;
  const close = () => {
    if (closing) {
      return;
    }
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (message) => {
    if (message === 'close') {
      close();
    }
  });
  process.on('disconnect', close);
  process.send?.({ port });
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
