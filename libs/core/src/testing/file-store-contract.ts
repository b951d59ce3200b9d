import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileStore } from '../files/file-store';

async function bytesOf(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) {
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function keysOf(store: FileStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of store.list(prefix)) {
    keys.push(file.key);
  }
  return keys.sort();
}

/**
 * What every {@link FileStore} must do, as jest cases: call inside a `describe`, with a factory
 * giving an empty store per case (or a fresh key prefix in a shared one: `root` is put before every key).
 */
export function fileStoreContract(make: () => Promise<{ store: FileStore; root: string }>): void {
  it('stores bytes given whole or streamed, and gives them back with their size', async () => {
    const { store, root } = await make();
    const whole = randomBytes(1000);
    await store.put(`${root}a/whole`, whole);
    const streamed = [randomBytes(70_000), randomBytes(3), randomBytes(40_000)];
    await store.put(`${root}a/streamed`, Readable.from(streamed));
    await store.put(`${root}a/empty`, Readable.from([]));

    await expect(bytesOf(await store.get(`${root}a/whole`))).resolves.toEqual(whole);
    await expect(bytesOf(await store.get(`${root}a/streamed`))).resolves.toEqual(
      Buffer.concat(streamed),
    );
    await expect(bytesOf(await store.get(`${root}a/empty`))).resolves.toEqual(Buffer.alloc(0));
    await expect(store.stat(`${root}a/streamed`)).resolves.toMatchObject({
      key: `${root}a/streamed`,
      size: 110_003,
    });
    const stat = await store.stat(`${root}a/whole`);
    expect(Number.isFinite(stat?.storedAt.getTime())).toBe(true);
  });

  it('streams a file larger than one upload part', async () => {
    const { store, root } = await make();
    const parts = Array.from({ length: 20 }, () => randomBytes(1024 * 1024));
    await store.put(`${root}large`, Readable.from(parts));
    await expect(store.stat(`${root}large`)).resolves.toMatchObject({ size: 20 * 1024 * 1024 });
    // Compared by digest: jest's element-wise equality is slow on 20 MB.
    const digest = (bytes: Buffer | null) =>
      bytes && createHash('sha256').update(bytes).digest('hex');
    expect(digest(await bytesOf(await store.get(`${root}large`)))).toBe(
      digest(Buffer.concat(parts)),
    );
  });

  it('answers null for what is not stored, and deleting it is no error', async () => {
    const { store, root } = await make();
    await expect(store.get(`${root}missing`)).resolves.toBeNull();
    await expect(store.stat(`${root}missing`)).resolves.toBeNull();
    await expect(store.stat(`${root}missing/deeper`)).resolves.toBeNull();
    await expect(store.delete(`${root}missing`)).resolves.toBeUndefined();
  });

  it('replaces a file whole, and deletes it', async () => {
    const { store, root } = await make();
    await store.put(`${root}f`, Buffer.from('first version'));
    await store.put(`${root}f`, Readable.from([Buffer.from('second')]));
    await expect(bytesOf(await store.get(`${root}f`))).resolves.toEqual(Buffer.from('second'));
    await store.delete(`${root}f`);
    await expect(store.get(`${root}f`)).resolves.toBeNull();
    await expect(keysOf(store, root)).resolves.toEqual([]);
  });

  it('moves a file to another key, replacing what was there', async () => {
    const { store, root } = await make();
    await store.put(`${root}up/1`, Buffer.from('moved bytes'));
    await store.put(`${root}kept/1`, Buffer.from('old'));
    await store.move(`${root}up/1`, `${root}kept/1`);
    await store.move(`${root}kept/1`, `${root}new/deeper/1`);
    await expect(bytesOf(await store.get(`${root}new/deeper/1`))).resolves.toEqual(
      Buffer.from('moved bytes'),
    );
    await expect(keysOf(store, root)).resolves.toEqual([`${root}new/deeper/1`]);
    await expect(store.move(`${root}up/1`, `${root}other`)).rejects.toThrow();
  });

  it('keeps nothing of a write whose stream fails', async () => {
    const { store, root } = await make();
    await store.put(`${root}kept`, Buffer.from('old'));
    const failing = (async function* () {
      yield randomBytes(10 * 1024 * 1024);
      throw new Error('the upload broke off');
    })();
    await expect(store.put(`${root}kept`, failing)).rejects.toThrow('the upload broke off');
    await expect(
      store.put(
        `${root}never`,
        (async function* () {
          yield Buffer.from('x');
          throw new Error('the upload broke off');
        })(),
      ),
    ).rejects.toThrow('the upload broke off');
    await expect(bytesOf(await store.get(`${root}kept`))).resolves.toEqual(Buffer.from('old'));
    await expect(keysOf(store, root)).resolves.toEqual([`${root}kept`]);
  });

  it('lists by key prefix, at any depth', async () => {
    const { store, root } = await make();
    for (const key of [
      'imports/a.csv',
      'imports/b.csv',
      'imports/up/c',
      'attachments/x/y',
      'importsx',
    ]) {
      await store.put(`${root}${key}`, Buffer.from(key));
    }
    await expect(keysOf(store, `${root}imports/`)).resolves.toEqual([
      `${root}imports/a.csv`,
      `${root}imports/b.csv`,
      `${root}imports/up/c`,
    ]);
    await expect(keysOf(store, `${root}imports`)).resolves.toHaveLength(4);
    await expect(keysOf(store, `${root}imports/a`)).resolves.toEqual([`${root}imports/a.csv`]);
    await expect(keysOf(store, `${root}nothing/`)).resolves.toEqual([]);
    const [listed] = await (async () => {
      const all = [];
      for await (const file of store.list(`${root}attachments/`)) {
        all.push(file);
      }
      return all;
    })();
    expect(listed).toMatchObject({ key: `${root}attachments/x/y`, size: 15 });
  });

  it('refuses keys that could leave the store', async () => {
    const { store } = await make();
    for (const key of [
      '../escape',
      'a/../../b',
      '/absolute',
      'a//b',
      '',
      'a/',
      '.hidden',
      'a\\b',
    ]) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow('Invalid file store key');
      await expect(store.get(key)).rejects.toThrow('Invalid file store key');
    }
  });

  it('is ready', async () => {
    const { store } = await make();
    await expect(store.checkReady()).resolves.toBeUndefined();
  });
}
