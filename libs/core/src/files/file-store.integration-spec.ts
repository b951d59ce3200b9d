import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStoreContract, startTestS3Server, type TestS3Server } from '../testing';
import { LocalDiskFileStore } from './local-disk-file-store';
import { S3FileStore } from './s3-file-store';

describe(LocalDiskFileStore.name, () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  fileStoreContract(() => {
    const folder = mkdtempSync(join(tmpdir(), 'custos-files-'));
    folders.push(folder);
    return Promise.resolve({ store: new LocalDiskFileStore(folder), root: '' });
  });
});

describe(`${S3FileStore.name} (s3rver)`, () => {
  let server: TestS3Server;
  let store: S3FileStore;
  let cases = 0;
  beforeAll(async () => {
    server = await startTestS3Server();
    store = new S3FileStore(server.options);
  });
  afterAll(async () => {
    store.close();
    await server.close();
  });

  fileStoreContract(() => {
    cases += 1;
    return Promise.resolve({ store, root: `case-${cases}/` });
  });

  it('is not ready when the bucket does not exist', async () => {
    const other = new S3FileStore({ ...server.options, bucket: 'no-such-bucket' });
    await expect(other.checkReady()).rejects.toThrow();
    other.close();
  });
});

describe(`${LocalDiskFileStore.name} on disk`, () => {
  it('writes files readable by the owner only, under the key as path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'custos-files-'));
    try {
      const store = new LocalDiskFileStore(folder);
      await store.put('attachments/a/b', Buffer.from('bytes'));
      expect(readFileSync(join(folder, 'attachments', 'a', 'b'), 'utf8')).toBe('bytes');
      expect(statSync(join(folder, 'attachments', 'a', 'b')).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(folder, '.partial'))).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
