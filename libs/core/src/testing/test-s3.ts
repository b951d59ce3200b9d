import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3FileStoreOptions } from '../files/s3-file-store';

/** An S3-compatible server running in this process, and the options of a store using it. */
export interface TestS3Server {
  /** A bucket that exists, with path-style addressing and the server's fixed credentials. */
  options: S3FileStoreOptions;
  endpoint: string;
  close(): Promise<void>;
}

/** s3rver accepts these (and only these) credentials. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Starts s3rver on a free local port with an empty bucket in a fresh temporary folder. */
export async function startTestS3Server(bucket = 'custos-test'): Promise<TestS3Server> {
  // Loaded when called: the testing entry must not need this dev-only server to be installed.
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(join(tmpdir(), 'custos-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    options: {
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    },
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
