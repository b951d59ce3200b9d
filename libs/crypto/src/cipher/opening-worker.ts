import { parentPort } from 'node:worker_threads';
import { openPage, type SealedPage } from './sealed-page';

/*
 * The entry of an opening worker (see `OpeningWorkers`): opens each page it is sent and answers
 * with the outcomes. A failure is answered by the error's name only: nothing of a key or a value
 * leaves the thread in an error.
 */
const port = parentPort!;
port.on('message', ({ id, page }: { id: number; page: SealedPage }) => {
  try {
    port.postMessage({ id, opened: openPage(page) });
  } catch (error) {
    port.postMessage({ id, failed: error instanceof Error ? error.name : 'Error' });
  }
});
