/**
 * The searching user of bench/exports' responsiveness step, in a process of its own (forked by
 * bench/exports.ts): a user's client never shares the server's event loop, and a client inside
 * the server's process waits behind the export's slices to read each answer, which the server's
 * responsiveness is not about. Over IPC: `{ port, token, search, warmUp, idle }` → warm-up
 * searches, then `idle` timed searches → `{ idle: ms[] }`; `{ during: true }` → searches until
 * `{ stop: true }` → `{ during: ms[] }`. One search at a time, as a user clicking through lists.
 */
import { HttpClient } from './crm-search';

interface Start {
  port: number;
  token: string;
  search: unknown;
  warmUp: number;
  idle: number;
}

let http: HttpClient;
let start: Start;
let stopping = false;

async function search(): Promise<number> {
  const started = performance.now();
  const { status } = await http.post('/api/v1/objects/contacts/search', start.search, start.token);
  if (status !== 200) {
    throw new Error(`search answered ${status}`);
  }
  return performance.now() - started;
}

async function idle(): Promise<void> {
  for (let i = 0; i < start.warmUp; i++) {
    await search();
  }
  const times: number[] = [];
  for (let i = 0; i < start.idle; i++) {
    times.push(await search());
  }
  process.send!({ idle: times });
}

async function during(): Promise<void> {
  const times: number[] = [];
  while (!stopping) {
    times.push(await search());
  }
  process.send!({ during: times });
  http.close();
  process.disconnect();
}

process.on('message', (message: Partial<Start> & { during?: true; stop?: true }) => {
  const failed = (error: unknown) => {
    process.send!({ error: String(error) });
    process.exitCode = 1;
  };
  if (message.stop) {
    stopping = true;
  } else if (message.during) {
    during().catch(failed);
  } else {
    start = message as Start;
    http = new HttpClient(start.port);
    idle().catch(failed);
  }
});
