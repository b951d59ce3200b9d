import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { newId } from '@custos/core';
import { LocalDiskAttachmentStorage } from './local-disk-attachment-storage';

async function bytesOf(stream: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream!) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

describe(LocalDiskAttachmentStorage.name, () => {
  let directory: string;
  let storage: LocalDiskAttachmentStorage;
  const account = newId();

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'custos-attachments-'));
    storage = new LocalDiskAttachmentStorage(join(directory, 'attachments'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('stores buffers and streams under <account>/<id>, readable by the owner only', async () => {
    const fromBuffer = `${account}/${newId()}`;
    const fromStream = `${account}/${newId()}`;
    await storage.put(fromBuffer, Buffer.from('buffer bytes'));
    await storage.put(fromStream, Readable.from([Buffer.from('stream '), Buffer.from('bytes')]));
    expect((await bytesOf(await storage.get(fromBuffer))).toString()).toBe('buffer bytes');
    expect((await bytesOf(await storage.get(fromStream))).toString()).toBe('stream bytes');
    const path = join(directory, 'attachments', fromBuffer);
    expect(readFileSync(path, 'utf8')).toBe('buffer bytes');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('answers null for a missing key and deletes idempotently', async () => {
    const key = `${account}/${newId()}`;
    expect(await storage.get(key)).toBeNull();
    await storage.put(key, Buffer.from('x'));
    await storage.delete(key);
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
  });

  it('never overwrites a stored key', async () => {
    const key = `${account}/${newId()}`;
    await storage.put(key, Buffer.from('first'));
    writeFileSync(join(directory, 'attachments', `${key}.part`), 'left over');
    await expect(storage.put(key, Buffer.from('second'))).rejects.toThrow();
    expect((await bytesOf(await storage.get(key))).toString()).toBe('first');
  });

  it('lists stored files and interrupted writes, nothing else', async () => {
    const key = `${account}/${newId()}`;
    await storage.put(key, Buffer.from('x'));
    const partial = `${account}/${newId()}.part`;
    writeFileSync(join(directory, 'attachments', partial), 'half');
    writeFileSync(join(directory, 'attachments', account, 'README'), 'not ours');
    const listed: string[] = [];
    for await (const object of storage.list()) {
      expect(object.storedAt.getTime()).toBeGreaterThan(0);
      listed.push(object.key);
    }
    expect(listed.sort()).toEqual([key, partial].sort());
    await storage.delete(partial);
    expect(await storage.get(partial)).toBeNull();
  });

  it.each([
    '../etc/passwd',
    `${newId()}/../../x`,
    `${newId()}`,
    `${newId()}/${newId()}/x`,
    `/${newId()}`,
    `${newId()}/..`,
    'a/b',
  ])('refuses the key %j', async (key) => {
    await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(
      'Invalid attachment storage key',
    );
    await expect(storage.get(key)).rejects.toThrow('Invalid attachment storage key');
    await expect(storage.delete(key)).rejects.toThrow('Invalid attachment storage key');
  });
});
