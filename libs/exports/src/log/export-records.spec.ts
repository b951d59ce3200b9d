import type { TransactionHost } from '@custos/core';
import type { ExportRow } from '../export-source';
import { ExportRecords } from './export-records';

/** A database whose statements stay in flight until the test settles them. */
function slowDatabase() {
  const statements: { ids: string[]; settle: (error?: Error) => void }[] = [];
  const transactions = {
    isPostgres: true,
    manager: {
      query: (_sql: string, parameters: unknown[]) =>
        new Promise<void>((resolve, reject) => {
          statements.push({
            ids: parameters[2] as string[],
            settle: (error) => (error ? reject(error) : resolve()),
          });
        }),
    },
  } as unknown as TransactionHost;
  return { sut: new ExportRecords(transactions), statements };
}

/** Batches of one row each (the record id in column 0), counting how many were read. */
function source(ids: string[]) {
  const state = { read: 0 };
  const batches = (async function* (): AsyncGenerator<ExportRow[]> {
    for (const id of ids) {
      state.read += 1;
      yield [[id, 'x']];
    }
  })();
  return { batches, state };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe(ExportRecords.name, () => {
  describe('noting', () => {
    it('hands a batch on while its note is written, and reads the next only once the note is in', async () => {
      const { sut, statements } = slowDatabase();
      const { batches, state } = source(['r1', 'r2']);
      const noted = sut.noting('account', 'export', batches, 0);

      await expect(noted.next()).resolves.toEqual({ done: false, value: [['r1', 'x']] });
      expect(statements.map((s) => s.ids)).toEqual([['r1']]);

      const second = noted.next();
      await settled();
      expect(state.read).toBe(1);
      statements[0].settle();
      await expect(second).resolves.toEqual({ done: false, value: [['r2', 'x']] });
      expect(state.read).toBe(2);

      const end = noted.next();
      await settled();
      let ended = false;
      void end.then(() => (ended = true));
      await settled();
      expect(ended).toBe(false);
      statements[1].settle();
      await expect(end).resolves.toEqual({ done: true, value: undefined });
    });

    it('fails the batches when a note fails', async () => {
      const { sut, statements } = slowDatabase();
      const noted = sut.noting('account', 'export', source(['r1', 'r2']).batches, 0);
      await noted.next();
      const second = noted.next();
      statements[0].settle(new Error('disk full'));
      await expect(second).rejects.toThrow('disk full');
    });

    it('waits for the note in flight when the consumer stops early', async () => {
      const { sut, statements } = slowDatabase();
      const noted = sut.noting('account', 'export', source(['r1', 'r2']).batches, 0);
      await noted.next();
      let stopped = false;
      const stopping = noted.return(undefined).then(() => (stopped = true));
      await settled();
      expect(stopped).toBe(false);
      statements[0].settle();
      await stopping;
      expect(statements).toHaveLength(1);
    });
  });
});
