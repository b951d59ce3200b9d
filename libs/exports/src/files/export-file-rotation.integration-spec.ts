import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore, type Actor } from '@custos/core';
import { eventually, testDatabaseKinds } from '@custos/core/testing';
import { KeyRotationService, keyVersionOfBytes } from '@custos/crypto';
import { createTestAccount, type TestAccount } from '@custos/identity/testing';
import { DataExport } from '../export.entity';
import { ExportRequests } from '../requests/export-requests';
import { createExportsTestApp, type ExportsTestApp } from '../testing/export-test-app';
import { addTestItems } from '../testing/test-export-source';
import { ExportDownloads } from './export-downloads';
import { ExportFileRotationSource } from './export-file-rotation-source';

const CANARY = 'canary-91c2-rotated-export';
/** Magic of a sealed stream (5 bytes) and the first frame's length (4): then its envelope. */
const FIRST_ENVELOPE_AT = 9;

describe.each(testDatabaseKinds())(`${ExportFileRotationSource.name} on %s`, (kind) => {
  let app: ExportsTestApp;
  let account: TestAccount;

  beforeAll(async () => {
    app = await createExportsTestApp(kind);
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(async () => {
    account = await createTestAccount(app);
    await addTestItems(app.transactions, account.accountId, 120, CANARY);
  });

  const as = <T>(actor: Actor, work: () => Promise<T>): Promise<T> =>
    app.context.runAs(actor, work);

  /** A sealed export of the account, done. */
  const sealedExport = async (): Promise<DataExport> => {
    const created = await as(account.founder, () =>
      app.module
        .get(ExportRequests)
        .create({ source: 'items', format: 'csv', properties: ['name', 'secret'] }),
    );
    expect(created.sensitive).toBe(true);
    return eventually(async () => {
      const entity = await app.dataSource.manager.findOneByOrFail(DataExport, { id: created.id });
      return entity.state === 'done' ? entity : undefined;
    });
  };

  const stored = (entity: DataExport): Buffer => readFileSync(join(app.files, entity.fileKey!));

  const download = (id: string): Promise<Buffer> =>
    as(account.founder, async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of (await app.module.get(ExportDownloads).download(id)).getStream()) {
        chunks.push(Buffer.from(chunk as Uint8Array));
      }
      return Buffer.concat(chunks);
    });

  const rotate = async () => {
    const rotations = app.module.get(KeyRotationService);
    await rotations.start(account.accountId, account.founder.userId);
    return eventually(async () => {
      const status = await rotations.status(account.accountId);
      return status.rotation?.status === 'completed' ? status : undefined;
    });
  };

  it('re-wraps the file’s own key instead of sealing the file again: same bytes, old account key no longer in use', async () => {
    const before = await sealedExport();
    const bytesBefore = await download(before.id);
    // Under its own key (generation 1), whose row the account key of version 1 wraps.
    expect(before.keyVersion).toBeNull();
    const storedBefore = stored(before);
    expect(keyVersionOfBytes(storedBefore.subarray(FIRST_ENVELOPE_AT))).toBe(1);

    const status = await rotate();

    const after = await app.dataSource.manager.findOneByOrFail(DataExport, { id: before.id });
    expect(after).toMatchObject({ state: 'done', keyVersion: null, sha256: before.sha256 });
    expect(stored(after).equals(storedBefore)).toBe(true);
    expect(storedBefore.includes(CANARY)).toBe(false);
    // Version 1 wraps nothing any more (the file's key counted under 2): it may be retired.
    expect(status.rotation).toMatchObject({ targetVersion: 2, unreadable: 0 });
    expect(status.versions).toEqual([
      expect.objectContaining({ version: 1, values: 0 }),
      expect.objectContaining({ version: 2, values: expect.any(Number) }),
    ]);
    const bytesAfter = await download(after.id);
    expect(bytesAfter.equals(bytesBefore)).toBe(true);
    expect(createHash('sha256').update(bytesAfter).digest('hex')).toBe(before.sha256);
    expect(bytesAfter.toString('utf8')).toContain(CANARY);
  });

  it('does not serve a file moved under another export: bound to its export and its key', async () => {
    const entity = await sealedExport();
    const other = await sealedExport();
    const store = app.module.get(FileStore);
    await store.put(
      entity.fileKey!,
      (async function* () {
        yield stored(other);
      })(),
    );
    await expect(download(entity.id)).rejects.toMatchObject({ code: 'exports.file_unreadable' });
    await expect(download(other.id)).resolves.toBeInstanceOf(Buffer);
  });
});
