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

  it('reseals a sealed file with the new key, same content, so the old key is no longer in use', async () => {
    const before = await sealedExport();
    const bytesBefore = await download(before.id);
    expect(before.keyVersion).toBe(1);
    expect(keyVersionOfBytes(stored(before).subarray(FIRST_ENVELOPE_AT))).toBe(1);

    const status = await rotate();

    const after = await app.dataSource.manager.findOneByOrFail(DataExport, { id: before.id });
    expect(after).toMatchObject({ state: 'done', keyVersion: 2, sha256: before.sha256 });
    const file = stored(after);
    expect(keyVersionOfBytes(file.subarray(FIRST_ENVELOPE_AT))).toBe(2);
    expect(file.includes(CANARY)).toBe(false);
    // Version 1 seals nothing any more (the file counted under 2): it may be retired.
    expect(status.rotation).toMatchObject({ targetVersion: 2, unreadable: 0 });
    expect(status.versions).toEqual([
      expect.objectContaining({ version: 1, values: 0 }),
      expect.objectContaining({ version: 2, values: 1 }),
    ]);
    const bytesAfter = await download(after.id);
    expect(bytesAfter.equals(bytesBefore)).toBe(true);
    expect(createHash('sha256').update(bytesAfter).digest('hex')).toBe(before.sha256);
    expect(bytesAfter.toString('utf8')).toContain(CANARY);
    // Nothing temporary is left beside the file.
    await expect(app.module.get(FileStore).get(`${after.fileKey!}.part`)).resolves.toBeNull();
  });

  it('counts a file that does not open as unreadable and leaves it on its key', async () => {
    const entity = await sealedExport();
    // Another export's file moved under this one's key: bound to another place, it does not open.
    const other = await sealedExport();
    const store = app.module.get(FileStore);
    await store.put(
      entity.fileKey!,
      (async function* () {
        yield stored(other);
      })(),
    );

    const status = await rotate();

    expect(status.rotation).toMatchObject({ unreadable: 1 });
    await expect(
      app.dataSource.manager.findOneByOrFail(DataExport, { id: entity.id }),
    ).resolves.toMatchObject({ keyVersion: 1 });
    await expect(
      app.dataSource.manager.findOneByOrFail(DataExport, { id: other.id }),
    ).resolves.toMatchObject({ keyVersion: 2 });
    await expect(store.get(`${entity.fileKey!}.part`)).resolves.toBeNull();
  });
});
